"""The HTTP service and the policy self-test page (`subsidy-engine serve`).

`subsidy_engine.service.app.create_app` builds the application (it needs the `service` extra:
FastAPI, uvicorn); `subsidy_engine.service.models` is the documented JSON contract of its
answers, and needs only pydantic.
"""
