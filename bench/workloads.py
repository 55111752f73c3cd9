# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The benchmark's workloads: the emulator seed each starts from, what is asked, and what must be true afterwards.

- W1: onboard ``newcomers`` users, given by email, into a group that already has ``members`` members.
- W2: W1 again: the group already holds everyone, nothing may change.
- W3: ``exclusive`` sync of the ``members``-member group where ``differ`` of the members differ: that many members
  are dropped from the list and as many newcomers are added to it.

Every email is visible (no privacy setting hides one), so members resolve from the member pages.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

GROUP = "engineering"
NEWCOMER_GROUP = "new-hires"  # where the newcomers' accounts come from: they exist on the site, in another group
EMAIL_DOMAIN = "bulk.example"
ADMIN_EMAIL = "admin@bench.example"
ADMIN_TOKEN = "bench-api-token"
ADMIN_ACCOUNT_ID = "5b10a2844c20165700bench1"
MEMBER_PAGE_SIZE = 50


@dataclass(frozen=True)
class Sizes:
    members: int = 2000
    newcomers: int = 500
    differ: float = 0.05

    @property
    def differing(self) -> int:
        return max(1, round(self.members * self.differ))


@dataclass(frozen=True)
class Person:
    account_id: str
    email: str


def generated(group: str, count: int) -> list[Person]:
    """The accounts the emulator's ``generate:`` seed entry makes (same accountId and email scheme)."""
    return [
        Person(hashlib.sha1(f"{group}:{i}".encode()).hexdigest()[:24], f"{group}-{i:04d}@{EMAIL_DOMAIN}")
        for i in range(1, count + 1)
    ]


@dataclass(frozen=True)
class LoopBatch:
    """One ``loop:`` of variant (b): one task per user, all with the same ``state``."""

    label: str
    state: str
    users: tuple[str, ...]


@dataclass
class Workload:
    key: str
    title: str
    seed: dict
    group: str
    users: list[str]  # emails, in the order given
    exclusive: bool
    expected: set[str]  # accountIds of the members afterwards
    loop: list[LoopBatch]  # what variant (b) runs, one task per user
    min_requests: int
    min_requests_note: str
    member_pages: int  # pages of 50 the group's members fill when the job starts
    account_of: dict[str, str] = field(default_factory=dict)  # email -> accountId, for checking samples
    backend: str = "jira_cloud"  # what the module variants name in ATLASSIAN_BACKEND

    def lower_bound_seconds(self, rate_limit_rps: float) -> float:
        return self.min_requests / rate_limit_rps


def _seed(sizes: Sizes, extra_members: list[str] = ()) -> dict:
    seed: dict = {
        "site": "https://bench.atlassian.net",
        "users": [{"account_id": ADMIN_ACCOUNT_ID, "display_name": "Bench Admin", "email": ADMIN_EMAIL}],
        "credentials": [{"email": ADMIN_EMAIL, "api_token": ADMIN_TOKEN, "site_admin": True}],
        "generate": [
            {"group": GROUP, "members": sizes.members, "email_domain": EMAIL_DOMAIN},
            {"group": NEWCOMER_GROUP, "members": sizes.newcomers, "email_domain": EMAIL_DOMAIN},
        ],
    }
    if extra_members:
        seed["groups"] = [{"name": GROUP, "members": list(extra_members)}]
    return seed


def pages(count: int) -> int:
    return math.ceil(count / MEMBER_PAGE_SIZE)


def build(sizes: Sizes = Sizes()) -> list[Workload]:
    members = generated(GROUP, sizes.members)
    newcomers = generated(NEWCOMER_GROUP, sizes.newcomers)
    account_of = {p.email: p.account_id for p in members + newcomers}
    current = {p.account_id for p in members}
    joined = current | {p.account_id for p in newcomers}
    emails = [p.email for p in newcomers]

    w1 = Workload(
        key="W1",
        title=f"onboard {sizes.newcomers} users by email into a {sizes.members}-member group",
        seed=_seed(sizes),
        group=GROUP,
        users=emails,
        exclusive=False,
        expected=joined,
        loop=[LoopBatch("add", "present", tuple(emails))],
        min_requests=1 + pages(sizes.members) + 2 * sizes.newcomers,
        min_requests_note=f"1 group lookup + {pages(sizes.members)} member pages + {sizes.newcomers} searches "
        f"+ {sizes.newcomers} adds",
        member_pages=pages(sizes.members),
        account_of=account_of,
    )
    w2 = Workload(
        key="W2",
        title="W1 again (nothing changes)",
        seed=_seed(sizes, [p.account_id for p in newcomers]),
        group=GROUP,
        users=emails,
        exclusive=False,
        expected=joined,
        loop=[LoopBatch("keep", "present", tuple(emails))],
        min_requests=1 + pages(sizes.members + sizes.newcomers),
        min_requests_note=f"1 group lookup + {pages(sizes.members + sizes.newcomers)} member pages",
        member_pages=pages(sizes.members + sizes.newcomers),
        account_of=account_of,
    )
    d = sizes.differing
    dropped, kept = members[:d], members[d:]
    added = newcomers[:d]
    desired = [p.email for p in kept + added]
    w3 = Workload(
        key="W3",
        title=f"exclusive sync of a {sizes.members}-member group, {d} in and {d} out",
        seed=_seed(sizes),
        group=GROUP,
        users=desired,
        exclusive=True,
        expected={p.account_id for p in kept + added},
        loop=[
            LoopBatch("keep", "present", tuple(p.email for p in kept)),
            LoopBatch("add", "present", tuple(p.email for p in added)),
            LoopBatch("remove", "absent", tuple(p.email for p in dropped)),
        ],
        min_requests=1 + pages(sizes.members) + 3 * d,
        min_requests_note=f"1 group lookup + {pages(sizes.members)} member pages + {d} searches + {d} adds "
        f"+ {d} removes",
        member_pages=pages(sizes.members),
        account_of=account_of,
    )
    return [w1, w2, w3]
