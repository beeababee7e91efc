"""Settings from the environment (prefix `BPVERIFY_`), read when asked for, never at import."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BPVERIFY_", extra="ignore")

    profile: Literal["development", "production"] = "development"
    db_url: str = "sqlite:///bpverify.sqlite"
    data_dir: Path = PROJECT_ROOT / "db" / "data"
    seed: bool = True  # create and seed missing tables on start (never on BTP/HANA)
    max_page_size: int = 1000
    max_body_bytes: int = 10 * 1024 * 1024
    db_threads: int = 16


@lru_cache
def get_settings() -> Settings:
    return Settings()
