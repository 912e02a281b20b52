"""Helpers of the shop's tests: a seller's public image on sale, a buyer's token."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from tests.api_helpers import bearer, upload
from tests.images import image_bytes

_seed = iter(range(1000, 10**6))


def image_on_sale(
    client: TestClient,
    token: str,
    price_cents: int | None = 1250,
    stock: int | None = 5,
    title: str = 'Harbour at dawn',
    visibility: str = 'public',
) -> str:
    """Upload a fresh picture (public by default) and put it on sale; its id."""
    made = upload(client, token, image_bytes(seed=next(_seed)), title=title, visibility=visibility)
    assert made.status_code == 201, made.text
    image_id = made.json()['id']
    if price_cents is not None:
        changed = client.patch(
            f'/api/v1/images/{image_id}',
            headers=bearer(token),
            json={'price_cents': price_cents, 'stock': stock},
        )
        assert changed.status_code == 200, changed.text
    return image_id


def put_in_cart(client: TestClient, token: str, image_id: str, quantity: int = 1) -> Any:
    return client.put(
        f'/api/v1/cart/items/{image_id}', headers=bearer(token), json={'quantity': quantity}
    )


def checkout(client: TestClient, token: str) -> Any:
    return client.post('/api/v1/checkout', headers=bearer(token))
