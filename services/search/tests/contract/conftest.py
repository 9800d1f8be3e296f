"""The SearchIndex contract runs against every backend: the embedded tantivy
index always, Elasticsearch's API through noida-db always, and a real
Elasticsearch cluster too when ES_URL is set."""
from __future__ import annotations

import os
import uuid

import pytest

BACKENDS = ["tantivy", "noida"] + (["elasticsearch"] if os.environ.get("ES_URL") else [])


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path):
    """(writer, reader) of a fresh, empty index; the API side reads through
    its own handle as in production."""
    if request.param == "tantivy":
        from search.adapters.tantivy_index import TantivyIndex
        writer = TantivyIndex(tmp_path / "index", writable=True)
        reader = TantivyIndex(tmp_path / "index", writable=False)
        yield writer, reader
        writer.close()
        return
    from search.adapters.elasticsearch_index import ElasticsearchIndex
    url = request.getfixturevalue("noida_url") if request.param == "noida" else os.environ["ES_URL"]
    alias = f"hubtest-{uuid.uuid4().hex[:8]}"
    writer = ElasticsearchIndex(url, alias)
    reader = ElasticsearchIndex(url, alias)
    yield writer, reader
    for name in writer.current_indices():
        writer.es.indices.delete(index=name)
    writer.es.indices.delete_index_template(name=f"{alias}-template")
    writer.close()
    reader.close()
