"""The shown log: records appended by one writer, read through memory maps
by searchers in other processes, a new generation per rebuild."""
import pytest

from search.adapters.shown_log import (POINTER_OFFSET_BITS, ShownLogDamaged, ShownLogReader, ShownLogWriter,
                                       generations)

NOTICE = "關於冬季供暖鍋爐房安全檢查的通知".encode()
MANUAL = "換熱站巡檢規程：循環泵每班檢查一次。".encode() * 50


def written_by_a_writer_now_gone(directory, *records) -> list[int]:
    """Pointers to ``records``, appended and synced by a writer since closed."""
    writer = ShownLogWriter(directory)
    pointers = [writer.append(record) for record in records]
    writer.sync()
    writer.close()
    return pointers


def test_records_read_back_by_a_reader_that_mapped_the_log_before_they_were_written(tmp_path):
    writer = ShownLogWriter(tmp_path)
    reader = ShownLogReader(tmp_path)
    first = writer.append(NOTICE)
    writer.sync()
    assert reader.read(first) == NOTICE  # maps the log as it is now
    later = [writer.append(MANUAL), writer.append(b""), writer.append(NOTICE)]
    writer.sync()
    assert [reader.read(p) for p in later] == [MANUAL, b"", NOTICE]  # past the old map's end: mapped anew
    assert reader.read(first) == NOTICE
    writer.close()


def test_a_new_writer_appends_after_what_an_earlier_one_wrote(tmp_path):
    [kept] = written_by_a_writer_now_gone(tmp_path, NOTICE)
    [added] = written_by_a_writer_now_gone(tmp_path, MANUAL)
    reader = ShownLogReader(tmp_path)
    assert (reader.read(kept), reader.read(added)) == (NOTICE, MANUAL)
    assert added > kept


def test_a_rebuild_keeps_the_generations_the_index_pointed_into_and_removes_the_rest(tmp_path):
    writer = ShownLogWriter(tmp_path)
    pointers = [writer.append(NOTICE)]
    for referenced_before in ({1}, {2}, {3}):  # three rebuilds
        writer.start_generation()
        pointers.append(writer.append(MANUAL))
        writer.sync()
        writer.keep_generation(referenced_before)
    assert generations(tmp_path) == [3, 4]
    assert [p >> POINTER_OFFSET_BITS for p in pointers] == [1, 2, 3, 4]
    reader = ShownLogReader(tmp_path)
    assert reader.read(pointers[2]) == reader.read(pointers[3]) == MANUAL
    with pytest.raises(ShownLogDamaged, match="missing"):
        reader.read(pointers[0])
    writer.close()


def test_an_abandoned_generation_is_never_reused_and_appends_go_on_in_the_one_before(tmp_path):
    writer = ShownLogWriter(tmp_path)
    kept = writer.append(NOTICE)
    writer.start_generation()
    landed = writer.append(MANUAL)  # the failed rebuild's commit may have landed all the same
    writer.abandon_generation()
    after = writer.append(MANUAL)
    writer.sync()
    reader = ShownLogReader(tmp_path)
    assert (reader.read(kept), reader.read(landed), reader.read(after)) == (NOTICE, MANUAL, MANUAL)
    writer.start_generation()
    assert writer.generation == 3  # not 2 again: a searcher may hold generation 2 mapped
    writer.keep_generation({1, 2})  # what the index pointed into before this rebuild
    assert generations(tmp_path) == [1, 2, 3]
    writer.close()


def test_one_writer_at_a_time(tmp_path):
    writer = ShownLogWriter(tmp_path)
    with pytest.raises(BlockingIOError):
        ShownLogWriter(tmp_path)
    writer.close()
    ShownLogWriter(tmp_path).close()


def test_a_reader_lets_go_of_generations_older_than_the_one_before_its_newest(tmp_path):
    writer = ShownLogWriter(tmp_path)
    reader = ShownLogReader(tmp_path)
    for generation in range(1, 6):
        pointer = writer.append(NOTICE)
        writer.sync()
        assert reader.read(pointer) == NOTICE
        writer.start_generation()
        writer.keep_generation({generation})
    assert sorted(reader._maps) == [4, 5]
    writer.close()


def test_a_pointer_past_the_end_of_its_log_is_reported_not_read_as_garbage(tmp_path):
    [pointer] = written_by_a_writer_now_gone(tmp_path, MANUAL)
    log = tmp_path / "shown-000001.log"
    log.write_bytes(log.read_bytes()[:100])  # as if the disk lost the end of it
    with pytest.raises(ShownLogDamaged, match="hub search rebuild"):
        ShownLogReader(tmp_path).read(pointer)
