# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The product APIs a site may serve (``Emulator(products=...)``, a seed's ``products``): one ``Product`` record
each, defined beside its routes. Adding a product is its module (routes and ``PRODUCT``) and one row here."""

from __future__ import annotations

from collections.abc import Iterable

from . import (
    accounts,
    admin,
    confluence,
    confluence_datacenter,
    jira,
    jira_datacenter,
)
from .common import Product

# The account lifecycle's routes (issue 18) live on the admin, jira and jira_datacenter blueprints: importing the
# module adds them, before any app registers a blueprint.
ACCOUNT_LIFECYCLE = accounts

PRODUCTS: dict[str, Product] = {
    product.name: product
    for product in (
        jira.PRODUCT,
        confluence.PRODUCT,
        jira_datacenter.PRODUCT,
        confluence_datacenter.PRODUCT,
        admin.PRODUCT,
    )
}
CLOUD_PRODUCTS = tuple(name for name, product in PRODUCTS.items() if product.cloud)
# A path under an API prefix that no product of the site serves (its product is missing from this site).
UNSERVED = "unserved"
API_PREFIXES = ("/rest/", "/wiki/rest/", "/admin/")


def serves_cloud(products: Iterable[str]) -> bool:
    """Whether a site with these products is Atlassian Cloud (a Data Center server serves one product alone)."""
    return any(PRODUCTS[name].cloud for name in products)


def product_of(path: str, products: tuple[str, ...]) -> Product | str | None:
    """Which of the site's products serves a path (the longest mount point wins), ``UNSERVED`` for an API path no
    product of this site serves, or None for the emulator's own /_emulator routes."""
    mounts = sorted(((m, PRODUCTS[p]) for p in products for m in PRODUCTS[p].mounts), key=lambda item: -len(item[0]))
    for mount, product in mounts:
        if path == mount or path.startswith(mount + "/"):
            return product
    return UNSERVED if path.startswith(API_PREFIXES) else None
