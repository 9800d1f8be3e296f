"""``hub doc …`` against a real search API server."""

import pytest

from hubkit.cli import main
from hubkit.api_process import api_server
from hubkit.launcher import prepare_index
from hubkit.wiring import migrate_service


@pytest.fixture
def hub_env(hub_config, jwt_secret, tmp_path, monkeypatch):
    config = hub_config(SEARCH_DATABASE_URL=f"sqlite:///{tmp_path}/search.db")
    migrate_service(config, "search")
    prepare_index(config)
    server = api_server(config, "search", address="127.0.0.1:0").start()
    for name, value in config.as_environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SEARCH_GRPC_ADDR", server.address)
    monkeypatch.delenv("HUB_TOKEN", raising=False)
    yield
    server.stop(0)


def hub(capsys, *argv) -> tuple[int, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_upload_info_versions_download_delete(hub_env, tmp_path, capsys, samples):
    source = tmp_path / "锅炉操作规程.docx"
    source.write_bytes(samples.docx())
    me = ["--user", "u-tang", "--dept", "供热公司"]
    code, out = hub(capsys, "doc", "upload", str(source), *me, "--department", "供热公司", "--share", "dept:供热公司",
                    "--tag", "锅炉", "--category", "操作规程")
    assert code == 0
    document_id = out.split()[0]
    revised = tmp_path / "修订.md"
    revised.write_bytes(samples.markdown())
    assert hub(capsys, "doc", "upload", str(revised), *me, "--document", document_id)[0] == 0

    code, out = hub(capsys, "doc", "info", document_id, "--user", "u-reader", "--dept", "供热公司")
    assert code == 0 and "锅炉操作规程" in out and "dept:供热公司" in out and "v2" in out
    code, out = hub(capsys, "doc", "versions", document_id, *me)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == ["v1", "v2"]
    target = tmp_path / "out"
    target.mkdir()
    code, out = hub(capsys, "doc", "download", document_id, *me, "--version", "1", "-o", str(target))
    assert code == 0 and (target / "锅炉操作规程.docx").read_bytes() == samples.docx()

    assert hub(capsys, "doc", "info", document_id, "--user", "u-outsider")[0] == 1  # NOT_FOUND
    assert hub(capsys, "doc", "delete", document_id, *me, "--reason", "合并到新规程")[0] == 0
    code, out = hub(capsys, "doc", "info", document_id, *me)
    assert code == 1 and "NOT_FOUND" in out


def test_a_bad_share_is_refused_before_anything_is_sent(hub_env, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("内容")
    with pytest.raises(SystemExit) as raised:
        main(["doc", "upload", str(source), "--user", "u1", "--department", "d", "--share", "boss"])
    assert "--share" in str(raised.value)
