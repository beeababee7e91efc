"""Operations logging: SAP Application Logging JSON lines and the request's correlation ID.

correlation  the ID of the current request (contextvar), taken from / echoed in `x-correlationid`,
             and `propagate` for outbound httpx clients
formatter    the JSON line format (component fields from VCAP_APPLICATION, CF_INSTANCE_INDEX)
access       ASGI middleware: correlation scope per request, request log lines
config       `install(app, settings)`: what the application calls once
"""
