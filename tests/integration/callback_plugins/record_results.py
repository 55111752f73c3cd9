# SPDX-License-Identifier: GPL-3.0-or-later
"""Test-only callback: record every task result as JSON so integration tests can assert on structured results.

Enabled by the integration harness (tests/integration/harness.py) through ANSIBLE_CALLBACK_PLUGINS and
ANSIBLE_CALLBACKS_ENABLED=record_results. It writes to the file named by ORGSYNC_RECORD_RESULTS_PATH:

    {"results": [{"play", "task", "action", "host", "status", "changed", "failed", "skipped", "unreachable",
                  "ignore_errors", "diff", "result"}, ...],
     "stats": {"<host>": {"ok", "changed", "failures", "skipped", "unreachable", "rescued", "ignored"}}}

The file is rewritten after each result, so a run that dies half way still leaves what happened before.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = """
name: record_results
type: aggregate
short_description: write every task result to a JSON file (tests only)
description:
  - Test helper of the orgsync.atlassian integration tests, not part of the collection.
  - Writes every task result to the file named by the E(ORGSYNC_RECORD_RESULTS_PATH) environment variable.
requirements:
  - enable in configuration
"""

ENV_VAR = "ORGSYNC_RECORD_RESULTS_PATH"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "record_results"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._path = os.environ.get(ENV_VAR)
        self._play = None
        self._results = []
        self._stats = {}

    # --- helpers ---------------------------------------------------------------------------------------------
    def _flush(self):
        if not self._path:
            return
        tmp = f"{self._path}.tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            json.dump({"results": self._results, "stats": self._stats}, handle, indent=1, sort_keys=True, default=repr)
        os.replace(tmp, self._path)

    def _record(self, result, status, ignore_errors=False):
        data = dict(_result_dict(result))
        task = result.task
        self._results.append(
            {
                "play": self._play,
                "task": result.task_name or task.get_name(),
                "action": task.action,
                "host": result.host.get_name(),
                "status": status,
                "changed": bool(data.get("changed", False)),
                "failed": status == "failed",
                "skipped": status == "skipped",
                "unreachable": status == "unreachable",
                "ignore_errors": bool(ignore_errors),
                "diff": data.get("diff"),
                "result": data,
            }
        )
        self._flush()

    # --- events ----------------------------------------------------------------------------------------------
    def v2_playbook_on_play_start(self, play):
        self._play = play.get_name()

    def v2_runner_on_ok(self, result):
        self._record(result, "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed", ignore_errors=ignore_errors)

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        self._stats = {host: stats.summarize(host) for host in sorted(stats.processed)}
        self._flush()


def _result_dict(result):
    """The result mapping: ``result`` on ansible-core 2.19+, ``_result`` before."""
    data = getattr(result, "result", None)
    if data is None:
        data = result._result
    return data
