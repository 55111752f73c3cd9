# shellcheck shell=bash
# Sourced by scripts/demo.sh, scripts/emulator.sh and scripts/doc.sh (not run on its own): the emulator in the
# background, and this checkout as a collection Ansible finds. The caller sets REPO_ROOT and VENV.

EMULATOR_PID=""
# shellcheck disable=SC2034  # read by the scripts that source this file
EMULATOR_URL=""

# start_emulator SEED WORKDIR [PORT]: start the emulator on loopback (PORT 0, the default, is a free port) and wait
# until it listens, 15 s at most; sets EMULATOR_PID and EMULATOR_URL. Its output goes to WORKDIR/emulator.log, which
# is shown if it fails to start.
start_emulator() {
    local seed="$1" workdir="$2" port="${3:-0}"
    local port_file="$workdir/emulator.url" log="$workdir/emulator.log"
    PYTHONPATH="$REPO_ROOT/tools" "$VENV/bin/python" -m atlassian_emulator \
        --seed "$seed" --port "$port" --port-file "$port_file" >"$log" 2>&1 &
    EMULATOR_PID=$!
    for _ in $(seq 150); do
        [[ -s "$port_file" ]] && break
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "the emulator exited before it was ready:" >&2
            cat "$log" >&2
            EMULATOR_PID=""
            return 1
        fi
        sleep 0.1
    done
    if [[ ! -s "$port_file" ]]; then
        echo "the emulator did not write $port_file within 15 s:" >&2
        cat "$log" >&2
        return 1
    fi
    # shellcheck disable=SC2034  # read by the scripts that source this file
    EMULATOR_URL="$(head -n 1 "$port_file")"
}

# stop_emulator: SIGTERM, then SIGKILL after 5 s; nothing when it is not running. Prints whether it stopped.
stop_emulator() {
    if [[ -z "$EMULATOR_PID" ]] || ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        return 0
    fi
    kill -TERM "$EMULATOR_PID" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$EMULATOR_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -KILL "$EMULATOR_PID" 2>/dev/null || true
    fi
    wait "$EMULATOR_PID" 2>/dev/null || true
    EMULATOR_PID=""
    echo "emulator stopped"
}

# checkout_collection: print the collections path under which this checkout is the collection orgsync.atlassian
# (build/checkout/ansible_collections/orgsync/atlassian, a link to the repository root), for ANSIBLE_COLLECTIONS_PATH.
# Ansible and ansible-doc then run the collection as it is in the work tree: nothing to build, and an edit counts at
# the next run.
checkout_collection() {
    local root="$REPO_ROOT/build/checkout"
    mkdir -p "$root/ansible_collections/orgsync"
    ln -sfn ../../../.. "$root/ansible_collections/orgsync/atlassian"
    echo "$root"
}
