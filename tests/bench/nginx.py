"""deploy/nginx.conf with the addresses and folders of a run on loopback."""

import os
import shutil
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONF = DEPLOY / "nginx.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_filter_module.so")


def find_nginx():
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def brotli_installed():
    """Whether Debian's brotli filter module for nginx is installed."""
    return BROTLI_MODULE.exists()


def render(work: Path, app_port: int, proxy_port: int, static_root: Path) -> Path:
    """Write the shipped configuration, pointed at these ports and folders.

    With the brotli module installed, the lines marked BROTLI are turned on,
    as the README tells an operator to do.
    """
    conf = CONF.read_text()
    if brotli_installed():
        for line in (f"load_module {BROTLI_MODULE};", "include nginx-brotli.conf;"):
            if f"# {line}" not in conf:
                raise ValueError(f"deploy/nginx.conf no longer has # {line}")
            conf = conf.replace(f"# {line}", line)
        shutil.copy(DEPLOY / "nginx-brotli.conf", work / "nginx-brotli.conf")
    for default, ours in [
        ("127.0.0.1:8000", f"127.0.0.1:{app_port}"),
        ("listen 127.0.0.1:8080", f"listen 127.0.0.1:{proxy_port}"),
        ("/srv/newsroom/staticfiles/", f"{static_root}/"),
        ("/var/cache/nginx/newsroom", str(work / "nginx-cache")),
        ("/run/nginx-newsroom.pid", str(work / "nginx.pid")),
        ("/var/log/nginx/newsroom-error.log", str(work / "nginx-error.log")),
    ]:
        if default not in conf:
            raise ValueError(f"deploy/nginx.conf no longer has {default}")
        conf = conf.replace(default, ours)
    if os.geteuid() == 0:
        conf = "user root;\n" + conf  # the run's files belong to root
    path = work / "nginx.conf"
    path.write_text(conf)
    return path
