"""The HTTP job service (`logistics serve`) and its Python client.

The server (FastAPI on uvicorn) runs routing, slotting, dock, line-haul and simulation jobs in worker
processes, keeps them in SQLite and answers over a versioned JSON API; `Client` calls it with the library's
call shapes. Importing this package does not import FastAPI: `create_app` and `Client` load it when used."""

from logistics.service.config import ServiceConfig, hash_key, load_config

__all__ = ["ServiceConfig", "hash_key", "load_config"]
