#!/usr/bin/env bash
# CNN & RNN Explorer, one entry point:
#   ./explorer.sh            create .venv if needed, install, start the app on 127.0.0.1 (opens the browser)
#   ./explorer.sh serve      the same install, then N app processes behind nginx on a public port
#                            (--replicas N, default one per two cores; --port 8501; docs/serving.md)
#   ./explorer.sh test       create .venv if needed, install, run the whole test suite
#   ./explorer.sh install    only create .venv and install
#   ./explorer.sh train all  retrain the bundled models (python -m core.train ...)
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=${EXPLORER_VENV:-.venv}

install() {
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "Python 3.10 or newer is needed (found $("$PYTHON" --version))." >&2; exit 1; }
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  local stamp="$VENV/.installed-$(cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)"
  if [ ! -f "$stamp" ]; then
    "$VENV/bin/python" -m pip install --upgrade pip >/dev/null
    "$VENV/bin/python" -m pip install -r requirements-dev.txt
    touch "$stamp"
  fi
}

command=${1:-run}
[ $# -gt 0 ] && shift
case "$command" in
  install) install ;;
  run)
    install
    echo "The app listens on 127.0.0.1 only (this machine). To open it to a network, serve it through nginx:" \
         "./explorer.sh serve (docs/serving.md), or pass --server.address 0.0.0.0." >&2
    # Streamlit's default address is every interface; flags given after ours win.
    exec "$VENV/bin/python" -m streamlit run app.py --server.address 127.0.0.1 "$@" ;;
  serve) install; exec "$VENV/bin/python" -m deploy.serve "$@" ;;
  test)
    install
    if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] && [ -z "${EXPLORER_NGINX:-}" ]; then
      echo "note: no nginx; the serving tests will be skipped (Debian/Ubuntu: sudo apt-get install nginx)." >&2
    fi
    if [ ! -x "${EXPLORER_CHROMIUM:-/usr/bin/chromium}" ]; then
      echo "note: no Chromium at ${EXPLORER_CHROMIUM:-/usr/bin/chromium}; browser tests will be skipped" \
           "(Debian/Ubuntu: sudo apt-get install chromium)." >&2
    fi
    # In parallel unless told otherwise: one worker per core, a file's tests on one worker (tests/conftest.py
    # shares the cores out among the workers, so torch's threads never oversubscribe the machine).
    case " $* " in
      *" -n "*|*" --numprocesses"*|*" -p no:xdist "*) ;;
      *) set -- -n auto --dist loadfile "$@" ;;
    esac
    exec "$VENV/bin/python" -m pytest "$@" ;;
  train) install; exec "$VENV/bin/python" -m core.train "$@" ;;
  *) echo "usage: ./explorer.sh [run|serve|test|install|train MODEL]" >&2; exit 2 ;;
esac
