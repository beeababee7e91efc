"""Settings from the environment (prefix `BPVERIFY_`), read when asked for, never at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bpverify.db.binding import bound_database
from bpverify.workflow.timing import Timing

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPVERIFY_", extra="ignore")

    profile: Literal["development", "production"] = "development"
    db_url: str = Field(default="sqlite:///bpverify.sqlite", repr=False)  # default: the bound database on Cloud Foundry
    db_connect_args: dict[str, Any] = Field(default_factory=dict, repr=False)  # TLS and schema of a bound HANA
    data_dir: Path = PROJECT_ROOT / "db" / "data"
    seed: bool = True  # create and seed missing tables on start (never on BTP/HANA)
    max_page_size: int = 1000
    max_body_bytes: int = 10 * 1024 * 1024
    db_threads: int = 16
    draft_lock_minutes: float = 15.0  # as CAP's cds.fiori.draft_lock_timeout: then another user may take over
    # the workflow worker (seconds): poll interval, claim expiry, retry backoff base and cap
    worker_poll: float = 1.0
    worker_claim: float = 60.0
    worker_backoff: float = 2.0
    worker_backoff_max: float = 600.0

    def timing(self) -> Timing:
        return Timing(self.worker_poll, self.worker_claim, self.worker_backoff, self.worker_backoff_max)

    log_format: Literal["text", "json"] | None = None  # default: json (SAP Application Logging) on Cloud Foundry
    # security (docs/security.md): who may call, and how much one request may ask for
    auth: Literal["auto", "mocked", "xsuaa"] = "auto"  # auto: xsuaa in production or when an xsuaa binding exists
    allow_mock_auth_on_cf: bool = False  # mocked users although VCAP_APPLICATION is set (logged as critical)
    jwt_leeway: float = 60.0  # seconds of clock skew tolerated for exp / nbf / iat
    max_batch_parts: int = 100
    max_top: int | None = None  # CAP accepts any $top and pages by max_page_size
    max_expand_depth: int | None = 5
    cors_origins: str = ""  # comma-separated origins allowed to call cross-origin; empty: CORS off
    # S/4HANA (docs/s4hana.md): the destination of API_BUSINESS_PARTNER; in development without one, the mock
    s4_destination: str = Field(
        default="BusinessPartner", validation_alias=AliasChoices("BPVERIFY_S4_DESTINATION", "S4_DESTINATION")
    )
    s4_sap_client: str | None = None  # sap-client on every call (else the destination's sap-client property)
    s4_resolve: dict[str, str] = Field(default_factory=dict)  # host → address, like curl --resolve (JSON)
    # circuit breaker of the S/4HANA connection: open after this many failed calls in a row, try again after
    s4_breaker_failures: int = Field(default=5, ge=1)
    s4_breaker_reset_seconds: float = Field(default=30.0, gt=0)
    mock_s4: Literal["auto", "on", "off"] = "auto"  # auto: on in development when the destination is not configured
    mock_s4_host: str = "localhost"  # host name of the local mock's URL and TLS certificate
    mock_s4_port: int = 0  # 0: any free port
    mock_s4_dir: Path = PROJECT_ROOT / "certs" / "mock-s4"  # its key and self-signed certificate, made once
    mock_s4_webhook: str | None = None  # where the mock sends its business partner events
    mock_s4_eager: bool = False  # start the mock with the service (bpverify serve), not on first use
    workflow: bool = True  # process events and deliver write-backs in this process
    # Cloud Foundry's own variables (no prefix)
    vcap_application: str | None = Field(default=None, validation_alias="VCAP_APPLICATION", repr=False)
    vcap_services: str | None = Field(default=None, validation_alias="VCAP_SERVICES", repr=False)
    cf_instance_index: int | None = Field(default=None, validation_alias="CF_INSTANCE_INDEX")

    @model_validator(mode="after")
    def _bound_database(self) -> Self:
        """A database bound in VCAP_SERVICES wins over the default URL (an explicit BPVERIFY_DB_URL wins over
        it); its tables come from a deployer (HDI), so the service never creates or seeds them itself."""
        bound = bound_database(self.vcap_services)
        if bound is not None and "db_url" not in self.model_fields_set:
            self.db_url = bound.url_text
            self.db_connect_args = dict(bound.connect_args)
            self.seed = False
        return self

    @property
    def on_cloud_foundry(self) -> bool:
        return self.vcap_application is not None

    @property
    def cors_origin_list(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" or (self.log_format is None and self.on_cloud_foundry)


@lru_cache
def get_settings() -> Settings:
    return Settings()
