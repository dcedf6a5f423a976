"""A client for the Cascade HTTP API (`cascade serve`), standard library only.

    from cascade_client import Client, CascadeError
    client = Client("http://127.0.0.1:8080", api_key)
    client.health()
"""

from .client import CascadeError, Client

__all__ = ["Client", "CascadeError"]
__version__ = "0.1.0"
