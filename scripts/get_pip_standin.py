# orgsync-get-pip-standin v1
"""Offline stand-in for the ``get-pip.py`` bootstrap script that ansible-test downloads.

ansible-test builds its per-test virtual environments with ``python -m venv --without-pip`` and then runs
``get-pip-<version>.py`` (fetched from a host this machine cannot reach, unless a copy is cached at
``~/.ansible/test/cache/get_pip_<version>.py``) to put pip and a few packages into them.

``scripts/ansible_test_offline.sh`` installs this file at that cache path. It does the same job without the
download: ``ensurepip`` provides the pip wheel bundled with CPython, and that pip then installs whatever
ansible-test asked for (for ansible-core 2.19: ``pip==24.2``) from the package index.

Two adjustments:
* ``--no-setuptools`` and ``--no-wheel`` are options of get-pip.py only; pip itself rejects them, so they are dropped.
* ansible-test hides the pip configuration (PIP_CONFIG_FILE=/dev/null), so pip would not see the machine's CA bundle;
  ``--cert`` passes it explicitly when the bundle exists (pip 24.2, once installed, also uses the system trust store).
"""

import os
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = {"--no-setuptools", "--no-wheel"}
CA_BUNDLES = (
    os.environ.get("ORGSYNC_PIP_CERT", ""),
    "/etc/ssl/certs/ca-certificates.crt",  # Debian / Ubuntu
    "/etc/pki/tls/certs/ca-bundle.crt",  # Fedora / RHEL
    "/etc/ssl/cert.pem",  # Alpine / macOS
)


def main(argv):
    args = [arg for arg in argv if arg not in GET_PIP_ONLY_OPTIONS]

    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])

    cert_args = []
    if not any(arg == "--cert" or arg.startswith("--cert=") for arg in args):
        for bundle in CA_BUNDLES:
            if bundle and os.path.isfile(bundle):
                cert_args = ["--cert", bundle]
                break

    if args:
        subprocess.check_call([sys.executable, "-m", "pip", "install"] + cert_args + args)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
