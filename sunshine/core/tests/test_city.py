"""The city's generated nginx configuration: nginx itself accepts it (where nginx is
installed, as `make city-deps` installs it), and a visitor who meets no app server reads
a Chinese page, not nginx's own English one."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sunshine.core import city

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


@pytest.fixture
def city_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(city, "CITY", tmp_path)
    monkeypatch.setattr(city, "LOGS", tmp_path / "logs")
    (tmp_path / "logs").mkdir()
    return tmp_path


def test_the_busy_page_is_chinese_and_served_for_an_absent_app_server(city_dir: Path) -> None:
    conf = city._nginx_conf(city_dir / "static").read_text(encoding="utf-8")
    assert f"error_page 502 503 504 /{city.BUSY_PAGE};" in conf
    page = (city_dir / "www" / city.BUSY_PAGE).read_text(encoding="utf-8")
    assert "系统繁忙" in page and "请勿重复提交" in page
    assert "Bad Gateway" not in page


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (make city-deps)")
def test_nginx_accepts_the_generated_configuration(city_dir: Path) -> None:
    conf = city._nginx_conf(city_dir / "static")
    done = subprocess.run([NGINX, "-t", "-c", str(conf)], capture_output=True, text=True, check=False)  # type: ignore[list-item]  # noqa: S603
    assert done.returncode == 0, done.stderr
