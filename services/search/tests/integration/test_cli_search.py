"""`hub search …` end to end: rebuild from the database (SQLite and
PostgreSQL), query and suggest over gRPC, reindex behind the alias."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from hubkit import cli
from hubkit.config import Config
from hubkit.api_process import api_server
from hubkit.launcher import prepare_index
from hubkit.wiring import migrate_service
from search import bootstrap
from search.domain.model import IndexedItem, ItemKind, marked, search_query
from search.ports import IndexOutdated

NOW = datetime(2026, 11, 20, 8, 0, tzinfo=timezone.utc)
SAVED = [
    IndexedItem(ItemKind.NOTICE, "n-gas", "煤氣管道巡檢通知", "請於本週內完成煤氣管道泄漏檢測。", ("group:g-gas",), NOW,
                department="燃气车间", group_ids=("g-gas",)),
    IndexedItem(ItemKind.DOCUMENT, "d-fire", "消防器材管理办法", "灭火器每月检查一次，记录压力表读数。", ("everyone",), NOW,
                department="保卫科", category="rule"),
]


@pytest.fixture
def hub_env(hub_config, db_url, monkeypatch):
    config = hub_config(SEARCH_DATABASE_URL=db_url)
    for name, value in config.as_environ().items():
        monkeypatch.setenv(name, value)
    migrate_service(config, "search")
    uow = bootstrap.uow_factory(config)()
    with uow:
        for item in SAVED:
            uow.items.save(item)
        uow.items.withdraw(ItemKind.NOTICE, "n-revoked")
        uow.commit()
    return config


def test_rebuild_then_query_and_suggest_as_different_users(hub_env, capsys):
    assert cli.main(["search", "rebuild"]) == 0
    assert "2 item(s)" in capsys.readouterr().out
    server = api_server(hub_env, "search").start()
    try:
        assert cli.main(["search", "query", "煤气 泄漏", "--user", "u-wu", "--group", "g-gas", "--facets"]) == 0
        out = capsys.readouterr().out
        assert "1 match(es)" in out and "【煤氣】管道巡檢通知" in out and "【泄漏】" in out
        assert "kind: notice 1" in out
        assert cli.main(["search", "query", "煤气", "--user", "u-outsider"]) == 0
        assert "0 match(es)" in capsys.readouterr().out
        assert cli.main(["search", "suggest", "消防"]) == 0
        assert capsys.readouterr().out.strip() == "消防器材管理办法"
        assert cli.main(["search", "query", "灭火器", "--from", "2026-12-01", "--to", "2026-11-01"]) == 1
        assert "published_to" in capsys.readouterr().err
    finally:
        server.stop(0)


def test_reindex_swaps_the_alias_and_keeps_the_content(hub_env, noida_url, monkeypatch, capsys):
    monkeypatch.setenv("SEARCH_BACKEND", "elasticsearch")
    monkeypatch.setenv("SEARCH_ES_URL", noida_url)
    monkeypatch.setenv("SEARCH_ES_INDEX", f"cli-{hub_env.grpc_addr('search').rpartition(':')[2]}")
    assert cli.main(["search", "rebuild"]) == 0
    index = bootstrap.open_index(Config(), writable=False)
    before = index.current_indices()
    assert cli.main(["search", "reindex"]) == 0
    after = index.current_indices()
    assert len(after) == 1 and after != before and after[0] in capsys.readouterr().out
    from search.domain.model import search_query
    assert [h.item_id for h in index.search(search_query("压力表", None)).hits] == ["d-fire"]
    index.close()


def older_index(config: Config) -> None:
    """The embedded index as an older version of the hub left it (another schema)."""
    import tantivy
    path = Path(config.raw("SEARCH_INDEX_DIR"))
    path.mkdir(parents=True)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("key", stored=True, tokenizer_name="raw")
    writer = tantivy.Index(builder.build(), path=str(path)).writer(15_000_000, 1)
    writer.commit()
    writer.wait_merging_threads()


def test_migrate_builds_an_index_of_an_older_version_anew_from_the_database(hub_env):
    older_index(hub_env)
    with pytest.raises(IndexOutdated, match="hub migrate"):
        bootstrap.open_index(hub_env, writable=False)  # what an API server or the worker would do
    said = []
    prepare_index(hub_env, said.append)  # the index step of `hub migrate` and `hub run`
    assert said == ["search index built anew for this version from the database: 2 item(s)"]
    index = bootstrap.open_index(hub_env, writable=False)
    hit = index.search(search_query("煤气 泄漏", None)).hits[0]
    assert marked(hit.title, hit.title_matches, "[", "]") == "[煤氣]管道巡檢通知"
    index.close()
    prepare_index(hub_env, said.append)
    assert len(said) == 1  # up to date: left as it is


def test_rebuild_replaces_an_index_of_an_older_version(hub_env, capsys):
    older_index(hub_env)
    assert cli.main(["search", "rebuild"]) == 0
    assert "2 item(s)" in capsys.readouterr().out
    index = bootstrap.open_index(hub_env, writable=False)
    assert [h.item_id for h in index.search(search_query("压力表", None)).hits] == ["d-fire"]
    index.close()
