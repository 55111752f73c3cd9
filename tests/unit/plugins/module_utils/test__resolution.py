# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""Resolving one email against members already read, with the real backend of each site (docs/identity.md, "When an
email names an account"): where an address is one Atlassian account's (Cloud), a member that shows it answers without
a lookup; anything that makes it several accounts is looked up and fails, even where the model says it cannot be."""

from __future__ import annotations

import pytest
from backend_table import FACTS

from ansible_collections.orgsync.atlassian.plugins.module_utils._errors import ResolutionError
from ansible_collections.orgsync.atlassian.plugins.module_utils._models import User
from ansible_collections.orgsync.atlassian.plugins.module_utils._resolution import resolve_reference

JANE = User("5b10a2844c20165700ede003", "jane@acme.example", "Jane Doe")
# A second person showing Jane's address: a listing that contradicts Atlassian Cloud's model.
JANE_TWIN = User("5b10a2844c20165700ede0fe", "Jane@Acme.example", "Jane Twin")
DEPLOY_BOT = User("5b10a2844c20165700ede009", "jane@acme.example", "Deploy Bot", account_type="app")


@pytest.mark.emails
def test_a_member_showing_the_email_is_its_holder_without_a_lookup_only_where_emails_are_unique(
    site, backend_for, backend_name
):
    backend = backend_for(site)
    site.clear_log()
    found = resolve_reference(backend, " JANE@acme.example ", {JANE.account_id: JANE})
    assert found.account_id == JANE.account_id
    # Jira Data Center users may share an address: the email is looked up, a member's too.
    assert (site.log == []) is FACTS[backend_name].unique_emails


@pytest.mark.emails(unique=True)
@pytest.mark.parametrize("second", [JANE_TWIN, DEPLOY_BOT], ids=["a person", "an app"])
def test_two_members_showing_one_email_are_looked_up_and_two_people_fail(site, backend_for, second):
    backend = backend_for(site)
    members = {JANE.account_id: JANE, second.account_id: second}
    site.clear_log()
    if second.account_type == "app":
        # An app is not an Atlassian account: the email is Jane's, as the lookup confirms.
        assert resolve_reference(backend, "jane@acme.example", members).account_id == JANE.account_id
    else:
        with pytest.raises(ResolutionError) as ambiguous:
            resolve_reference(backend, "jane@acme.example", members)
        assert ambiguous.value.message == (
            f"'jane@acme.example' is ambiguous: 2 accounts have this email ({JANE.account_id}, "
            f"{JANE_TWIN.account_id}), and an email is never guessed. Pass the accountId of the intended account "
            "instead of the email."
        )
    assert site.log != []  # the members alone did not answer: the email was looked up
