"""deploy/nginx.conf with the addresses and folders of a run on loopback."""

import os
import shutil
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf"


def find_nginx():
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


def render(work: Path, app_port: int, proxy_port: int, static_root: Path) -> Path:
    """Write the shipped configuration, pointed at these ports and folders."""
    conf = CONF.read_text()
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
