"""The HTTP interface: FastAPI routes over the application services.

``app.create_app`` builds the application; ``uvicorn`` serves it (see docs/http.md).
"""
