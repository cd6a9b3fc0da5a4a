"""Reading one article: decoding, cleaning, title/body/metadata, skips with reasons."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import types
from datetime import datetime
from pathlib import PurePosixPath

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reader.core import articles
from reader.core.articles import (
    MAX_TITLE_CHARS,
    SkipFile,
    clean_text,
    decode,
    parse_article,
    parse_date,
    read_article,
)


def test_title_is_first_non_empty_line_and_body_the_rest():
    article = parse_article(b"\n\n  Big News Today  \nFirst paragraph.\n\nSecond one.\n", "a.txt")
    assert article.title == "Big News Today"
    assert article.body == "First paragraph.\n\nSecond one."
    assert article.section == ""


def test_header_block_is_metadata():
    data = (
        b"Title: Markets rally\nDate: 2025-09-15T08:30:00Z\nSource: Wire\nAuthor: Jane Roe\n"
        b"URL: https://example.com/x\nTags: trade, stocks\n\nStocks rose.\n"
    )
    article = parse_article(data, "world/europe/m.txt")
    assert article.title == "Markets rally"
    assert article.date == datetime(2025, 9, 15, 8, 30)
    assert (article.source, article.author, article.url) == ("Wire", "Jane Roe", "https://example.com/x")
    assert article.tags == ("trade", "stocks")
    assert article.body == "Stocks rose."
    assert article.section == "world/europe"


def test_a_first_line_that_only_looks_like_a_header_is_the_title():
    article = parse_article(b"Breaking: fire in Madrid\n\nCrews responded.\n", "a.txt")
    assert article.title == "Breaking: fire in Madrid"
    assert article.body == "Crews responded."


def test_header_without_title_takes_the_first_line_after_it():
    article = parse_article(b"Date: 2024-01-02\n\nThe Headline\nBody.\n", "a.txt")
    assert article.title == "The Headline"
    assert article.date == datetime(2024, 1, 2)


def test_date_falls_back_to_the_file_mtime():
    mtime_ns = int(datetime(2021, 5, 4, 3, 2, 1).timestamp() * 1e9)
    article = parse_article(b"Title\nBody\n", "a.txt", mtime_ns)
    expected = datetime.utcfromtimestamp(mtime_ns / 1e9)
    assert article.date == expected
    assert not article.dated_by_header


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-09-15", datetime(2025, 9, 15)),
        ("Mon, 15 Sep 2025 10:00:00 +0200", datetime(2025, 9, 15, 8, 0)),
        ("15 September 2025", datetime(2025, 9, 15)),
        ("September 15, 2025", datetime(2025, 9, 15)),
        ("not a date", None),
        ("", None),
        ("0001-01-01", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("utf-32-le", codecs.BOM_UTF32_LE)],
)
def test_unicode_encodings(encoding, bom):
    text = "Café in Zürich — naïve “quotes”\nBody with ümlauts and 東京.\n"
    article = parse_article(bom + text.encode(encoding), "a.txt")
    assert article.title == "Café in Zürich — naïve “quotes”"
    assert "東京" in article.body


def test_utf16_without_bom_is_detected():
    text = "Plain headline here\nAnd a body of ordinary words for detection.\n"
    assert decode(text.encode("utf-16-le"))[0] == text
    assert decode(text.encode("utf-16-be"))[0] == text


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_western_single_byte_encodings(encoding):
    text = "Le café était fermé à Noël\nGarcía señaló que la economía crecía. À bientôt.\n"
    article = parse_article(text.encode(encoding), "a.txt")
    assert article.title == "Le café était fermé à Noël"
    assert article.body == "García señaló que la economía crecía. À bientôt."


def test_cp1252_punctuation():
    text = "He said “hello” — it’s €5…\nok\n"
    assert parse_article(text.encode("cp1252"), "a.txt").title == "He said “hello” — it’s €5…"


def test_cyrillic_single_byte_is_not_forced_into_latin():
    text = "Привет, как дела? Это новости дня.\nВторая строка текста новостей.\n"
    assert parse_article(text.encode("cp1251"), "a.txt").title == "Привет, как дела? Это новости дня."


@pytest.mark.parametrize(
    "dirty",
    [
        "\x1b[31mred\x1b[0m", "\x1b]8;;http://evil\x07link\x1b]8;;\x07",
        "\x1b]52;c;ZXZpbA==\x07", "bell\x07 back\x08space", "\u202eevil\u202c",
        "zero\u200bwidth", "nul\x00byte", "\x9b31mc1", "\x1bP1$r\x1b\\dcs",
    ],
)
def test_escape_sequences_and_controls_are_removed(dirty):
    cleaned = clean_text(dirty)
    assert not any(ord(c) < 32 and c not in "\n" for c in cleaned)
    assert not any(0x7F <= ord(c) <= 0x9F for c in cleaned)
    assert "\u202e" not in cleaned and "\u200b" not in cleaned
    assert "[31m" not in cleaned and "]52" not in cleaned and "8;;" not in cleaned


def test_cleaning_keeps_words_newlines_and_expands_tabs():
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc   d"
    assert clean_text("\x1b[1mBold\x1b[0m news") == "Bold news"


def test_huge_title_is_cut_but_kept_searchable():
    line = "word " * 30_000
    article = parse_article(f"{line}\nbody\n".encode(), "a.txt")
    assert len(article.title) <= MAX_TITLE_CHARS
    assert article.title.endswith("…")
    assert article.body.startswith(line.strip()[:1000])


def test_binary_and_empty_files_are_skipped_with_reasons():
    with pytest.raises(SkipFile, match="binary"):
        parse_article(bytes(range(256)) * 40, "a.txt")
    with pytest.raises(SkipFile, match="empty"):
        parse_article(b"", "a.txt")
    with pytest.raises(SkipFile, match="empty"):
        parse_article(b"  \n\t\n  ", "a.txt")


def test_read_article_skips_missing_and_oversized(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"Title\n" + b"x" * 2000)
    with pytest.raises(SkipFile, match="too large"):
        read_article(tmp_path, "big.txt", max_bytes=1000)
    with pytest.raises(SkipFile, match="vanished"):
        read_article(tmp_path, "gone.txt")
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(SkipFile):
        read_article(tmp_path, "dir.txt")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_is_skipped(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("Title\nbody\n")
    path.chmod(0)
    with pytest.raises(SkipFile, match="permission denied"):
        read_article(tmp_path, "secret.txt")


def test_reading_time_and_text():
    article = parse_article(("Title\n" + "word " * 460).encode(), "a.txt")
    assert article.reading_minutes == 2
    assert article.text.startswith("Title\n\nword word")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_any_bytes_either_read_or_skip_with_a_reason(data):
    try:
        article = parse_article(data, "x/y.txt", 0)
    except SkipFile as exc:
        assert str(exc)
        return
    text = article.title + article.body
    assert not any(ord(c) < 32 and c != "\n" for c in text)
    assert "\x1b" not in text and "\x9b" not in text
    assert article.title.strip() == article.title and article.title


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_is_cleaned(text):
    cleaned = clean_text(text)
    assert not any(ord(c) < 32 and c != "\n" for c in cleaned)
    assert not any(0x7F <= ord(c) <= 0x9F for c in cleaned)


@pytest.mark.parametrize(
    ("path", "section"),
    [("a.txt", ""), ("world/a.txt", "world"), ("world/europe/a.txt", "world/europe")],
)
def test_section_is_the_folder(path, section):
    assert parse_article(b"T\nb\n", path).section == section


def test_header_keys_ignore_case_and_crlf():
    article = parse_article(b"TITLE: Loud\r\ndate: 2025-02-03\r\nTAGS: a; b\r\n\r\nBody\r\n", "a.txt")
    assert (article.title, article.body, article.tags) == ("Loud", "Body", ("a", "b"))
    assert article.date == datetime(2025, 2, 3) and article.dated_by_header


def test_an_unknown_key_means_there_is_no_header():
    article = parse_article(b"Title: X\nColour: blue\n\nBody\n", "a.txt")
    assert article.title == "Title: X"
    assert article.body == "Colour: blue\n\nBody"


def test_a_bad_header_date_falls_back_to_the_mtime():
    article = parse_article(b"Date: 2025-13-45\n\nT\nb\n", "a.txt", 1_700_000_000_000_000_000)
    assert article.date == datetime(2023, 11, 14, 22, 13, 20)
    assert not article.dated_by_header


def test_utf16_with_bom_and_a_header():
    text = "Title: Zürich rallies\r\nSource: Wire\r\n\r\nStocks in Zürich rose.\r\n"
    article = parse_article(codecs.BOM_UTF16_LE + text.encode("utf-16-le"), "a.txt")
    assert (article.title, article.source, article.body) == ("Zürich rallies", "Wire", "Stocks in Zürich rose.")


def test_latin1_and_cp1252_report_their_encoding():
    assert decode("Noël à Paris".encode("latin-1"))[1] in ("cp1252", "latin-1", "iso-8859-1")
    text, encoding = decode("“Quoted” — €5".encode("cp1252"))
    assert (text, encoding) == ("“Quoted” — €5", "cp1252")


def test_escape_sequences_in_the_title_are_removed():
    article = parse_article(b"\x1b]0;pwned\x07\x1b[2J\x1b[1;31mAlarm\x1b[0m\nbody\x1b[5m!\n", "a.txt")
    assert article.title == "Alarm"
    assert article.body == "body!"


_BOM = st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE,
                        codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE])
_PIECE = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.text(max_size=64).map(lambda t: t.encode("utf-16-le", "surrogatepass")),
    st.sampled_from([b"Title: ", b"Date: ", b"Tags: ", b"\n", b"\r\n", b"\n\n", b"\x1b[", b"\x1b]",
                     b"\x07", b"\x9b", b"\x00", b"\xff\xfe", b"2025-09-15", b"\xe9", b"\x93"]),
)


@settings(max_examples=300, deadline=None)
@given(_BOM, st.lists(_PIECE, max_size=12))
def test_article_like_bytes_either_read_or_skip(bom, pieces):
    """Shaped like articles (BOMs, headers, escapes, mixed encodings): nothing but SkipFile."""
    data = bom + b"".join(pieces)
    try:
        article = parse_article(data, "w/x.txt", 1_700_000_000_000_000_000)
    except SkipFile as exc:
        assert str(exc)
        return
    assert article.title and "\n" not in article.title
    assert not any(ord(c) < 32 and c != "\n" for c in article.title + article.body)
    assert article.size == len(data) and article.section == "w"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2048))
def test_any_file_on_disk_either_reads_or_skips(tmp_path_factory, data):
    root = tmp_path_factory.mktemp("any")
    (root / "x.txt").write_bytes(data)
    try:
        article = read_article(root, "x.txt")
    except SkipFile as exc:
        assert str(exc)
    else:
        assert article.size == len(data)
        assert article.mtime_ns == (root / "x.txt").stat().st_mtime_ns


def test_utf8_with_a_few_stray_bytes_stays_utf8():
    """One pasted CP1252 quote must not turn every other accent of the file into mojibake."""
    data = "Café in Zürich — naïve résumé\nStocks in Zürich rose.\n".encode() + b"He said \x93hi\x94 \xe9\n"
    text, encoding = decode(data)
    assert encoding == "utf-8"
    assert text == "Café in Zürich — naïve résumé\nStocks in Zürich rose.\nHe said “hi” é\n"
    assert "Ã" not in text


def test_single_byte_text_is_not_taken_for_broken_utf8():
    # Every non-ASCII byte is a broken UTF-8 sequence here: a single-byte encoding, not UTF-8.
    text = "Le café était fermé pendant les fêtes de Noël, a déclaré le maire.\n"
    assert decode(text.encode("latin-1")) == (text, "cp1252")


_TEXT_PIECE = st.one_of(
    st.text(max_size=24),
    st.sampled_from(["Title: ", "Date: 2025-09-15", "Tags: a, b", "\n", "\r\n", "\n\n", " \n",
                     " ", "\t", "word", "Zürich", "“quoted”", "\u00a0", "\u3000", "\u2028",
                     "\u200b", "\x1b[1m", "\x0c", "\x85", "\x7f", "\x00"]),
)


@contextlib.contextmanager
def _every_quick_path_off():
    saved = (articles.plain_ascii, articles._rstrip_lines, articles._NEEDS_CLEANING)
    articles.plain_ascii = lambda data: False
    articles._rstrip_lines = lambda text: "\n".join(line.rstrip() for line in text.split("\n"))
    articles._NEEDS_CLEANING = re.compile("")  # matches anywhere: every pattern runs
    try:
        yield
    finally:
        articles.plain_ascii, articles._rstrip_lines, articles._NEEDS_CLEANING = saved


@settings(max_examples=400, deadline=None)
@example(["T\n", "a", "\u2028", "b\u2029c"], "utf-8", "a.txt")  # breaks lines, is not invisible
@example(["T\n", "a \n", "b\t\n", "c\u3000"], "utf-8", "a.txt")
@given(st.lists(_TEXT_PIECE, max_size=16), st.sampled_from(["utf-8", "utf-16", "cp1252"]),
       st.sampled_from(["a.txt", "w/a.txt", "w/e/a.txt", "w//a.txt", "./w/a.txt"]))
def test_the_quick_paths_read_as_the_full_reading(pieces, encoding, path):
    """ASCII files skip decode() and clean_text(), clean text skips the cleaning patterns,
    lines with nothing at their end are not stripped: each gives what the full work gives."""
    data = "".join(pieces).encode(encoding, "replace")

    def read():
        try:
            return parse_article(data, path, 1_700_000_000_000_000_000)
        except SkipFile as exc:
            return str(exc)

    quick = read()
    with _every_quick_path_off():
        assert read() == quick
    if not isinstance(quick, str):
        parent = str(PurePosixPath(path).parent)
        assert quick.section == ("" if parent == "." else parent)


def test_a_file_that_grows_or_shrinks_after_its_stat_is_read_to_its_end(tmp_path, monkeypatch):
    """Most files are read with one read of their size; one that changed size since is
    read on to its end, and never past the cap."""
    file = tmp_path / "a.txt"
    file.write_bytes(b"Title\n" + b"x" * 5000)
    real_fstat = os.fstat

    def fstat_saying(size):
        def fstat(fd):
            st = real_fstat(fd)
            return types.SimpleNamespace(st_mode=st.st_mode, st_size=size,
                                         st_mtime_ns=st.st_mtime_ns)
        return fstat

    for shown in (10, 5006, 9000):  # the size a stat says: smaller, right, larger
        monkeypatch.setattr(os, "fstat", fstat_saying(shown))
        assert read_article(tmp_path, "a.txt").body == "x" * 5000
    monkeypatch.setattr(os, "fstat", fstat_saying(10))
    with pytest.raises(SkipFile, match="too large"):
        read_article(tmp_path, "a.txt", max_bytes=1000)
