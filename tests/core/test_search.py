"""Search: every query form, ranking, snippets and hit offsets, related, suggestions, errors."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.core.index import CorpusIndex
from reader.core.search import QueryError, Searcher, make_snippet

ARTICLES = {
    "madrid.txt": (
        "Title: US and China resume talks in Madrid\nDate: 2025-09-14\nSource: Wire\n\n"
        "Negotiators met in Madrid. Regulators opened an antitrust examination into the "
        "chipmaker Nvidia. Export restrictions on processors were discussed.\n"
    ),
    "xi.txt": (
        "Title: TikTok deal receives tacit approval from Xi\nDate: 2025-09-16\nTags: tech\n\n"
        "China signalled its blessing for the TikTok plan. The recommendation algorithm "
        "remains the key sticking point of the talk.\n"
    ),
    "world/markets.txt": (
        "Title: Markets rally as trade fears ease\nDate: 2025-03-02\nAuthor: Jane Roe\n\n"
        "Stocks rose as investors welcomed progress in trade negotiations with China.\n"
    ),
    "world/europe/energy.txt": (
        "Title: Europe stores gas for winter\nDate: 2024-11-20\n\n"
        "Energy ministers said storage was full. Export terminals were busy all autumn.\n"
    ),
}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for rel, text in ARTICLES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    index = CorpusIndex(root, tmp_path_factory.mktemp("index")).open()
    index.update()
    return Searcher(index)


def paths(searcher, query, **kwargs):
    return [hit.path for hit in searcher.search(query, **kwargs).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nvidia", ["madrid.txt"]),
        ("NVIDIA", ["madrid.txt"]),
        ("china talks", ["madrid.txt", "xi.txt"]),  # AND, stemmed: talks ~ talk
        ("china AND stocks", ["world/markets.txt"]),
        ("nvidia OR tiktok", ["madrid.txt", "xi.txt"]),
        ("china NOT tiktok", ["madrid.txt", "world/markets.txt"]),
        ("china -tiktok", ["madrid.txt", "world/markets.txt"]),  # as in web search
        ('china -"tacit approval"', ["madrid.txt", "world/markets.txt"]),
        ("china -title:tiktok", ["madrid.txt", "world/markets.txt"]),
        ("china (-tiktok)", ["madrid.txt", "world/markets.txt"]),
        ("CHINA EXPORT RESTRICTIONS -TIKTOK", ["madrid.txt"]),  # shouted, the - still counts
        ("china - tiktok", ["xi.txt"]),  # a dash alone is punctuation
        ('"plan the recommendation"', ["xi.txt"]),
        ('"plan -the recommendation"', ["xi.txt"]),  # inside quotes a dash is punctuation
        ('"export restrictions"', ["madrid.txt"]),
        ('"restrictions export"', []),
        ("title:tiktok", ["xi.txt"]),
        ("title:nvidia", []),
        ("section:world", ["world/europe/energy.txt", "world/markets.txt"]),
        ("section:world/europe", ["world/europe/energy.txt"]),
        ("source:wire", ["madrid.txt"]),
        ("author:roe", ["world/markets.txt"]),
        ("tags:tech", ["xi.txt"]),
        ("date:2025-09", ["madrid.txt", "xi.txt"]),
        ("date:[2025-01 to 2025-06]", ["world/markets.txt"]),
        ("date:2024", ["world/europe/energy.txt"]),
        ("negotiat*", ["madrid.txt", "world/markets.txt"]),
        ("processers~", ["madrid.txt"]),
        ("(nvidia OR stocks) china", ["madrid.txt", "world/markets.txt"]),
        ("export", ["madrid.txt", "world/europe/energy.txt"]),
        ("*", sorted(ARTICLES)),
    ],
)
def test_query_forms(searcher, query, expected):
    assert sorted(paths(searcher, query, limit=0)) == sorted(expected)
    # What a saved search holds, counted as marks change: the same articles.
    assert searcher.paths(query) == set(expected)


def test_title_matches_rank_above_body_matches(searcher):
    assert paths(searcher, "tiktok")[0] == "xi.txt"
    assert paths(searcher, "madrid")[0] == "madrid.txt"


def test_sorting(searcher):
    assert paths(searcher, "china", sort="date") == ["xi.txt", "madrid.txt", "world/markets.txt"]
    assert paths(searcher, "china", sort="title") == ["world/markets.txt", "xi.txt", "madrid.txt"]
    with pytest.raises(QueryError):
        searcher.search("china", sort="size")


def test_limit_and_total(searcher):
    results = searcher.search("china", limit=1)
    assert len(results.hits) == 1
    assert results.total == 3
    assert len(searcher.search("china", limit=0).hits) == 3


def test_the_count_of_a_large_result_set_can_come_after_the_results(write_corpus):
    """Whoosh skips the blocks of postings that cannot reach the top, so counting every match
    takes a second pass: the app asks for the hits first (count=False), then the count."""
    root = write_corpus({f"s{i:03}.txt": f"Story {i}\nThe harbour {'and the harbour ' * (i % 7)}"
                         f"reopened{' kiwi' if i < 4 else ''}.\n" for i in range(300)})
    index = CorpusIndex(root).open()
    index.update()
    searcher = Searcher(index)
    counted = searcher.search("harbour reopened", limit=10)
    assert counted.total == 300
    later = searcher.search("harbour reopened", limit=10, count=False)
    assert [h.path for h in later.hits] == [h.path for h in counted.hits]
    assert later.total is None
    assert searcher.count(later) == 300 and later.total == 300
    few = searcher.search("kiwi", limit=10, count=False)  # fewer than the limit: exact
    assert few.total == len(few.hits) == 4
    (root / "late.txt").write_text("Late story\nThe harbour again.\n")
    index.update()  # a second segment: fuzzy terms are looked up in each
    fuzzy = searcher.search("harbor~", limit=5, count=False)  # counted as expanded
    assert len(index.ix.reader().leaf_readers()) == 2
    assert fuzzy.hits and searcher.count(fuzzy) == 301


def test_snippet_spans_point_at_the_hits(searcher):
    hit = searcher.search("nvidia export").hits[0]
    marked = [hit.snippet[s:e].lower() for s, e in hit.snippet_spans]
    assert marked and set(marked) <= {"nvidia", "export"}
    assert "nvidia" in marked


def test_stemmed_hits_mark_the_word_as_written(searcher):
    hit = searcher.search("negotiation").hits[0]
    marked = {hit.snippet[s:e] for s, e in hit.snippet_spans}
    assert marked == {"Negotiators"} or marked == {"negotiations"}


def test_title_spans_and_negated_words_are_not_marked(searcher):
    hit = searcher.search("tiktok NOT nvidia").hits[0]
    assert [hit.title[s:e] for s, e in hit.title_spans] == ["TikTok"]
    assert all("nvidia" not in hit.snippet[s:e].lower() for s, e in hit.snippet_spans)


def test_highlights_cover_every_hit_in_the_body(searcher):
    article = searcher.index.read("madrid.txt")
    title_spans, body_spans = searcher.highlights("madrid", article.title, article.body)
    assert [article.title[s:e] for s, e in title_spans] == ["Madrid"]
    assert [article.body[s:e] for s, e in body_spans] == ["Madrid"]
    _, wild = searcher.highlights("negotiat*", article.title, article.body)
    assert [article.body[s:e] for s, e in wild] == ["Negotiators"]


def test_make_snippet_window_and_offsets():
    body = ("filler " * 100) + "alpha beta alpha " + ("tail " * 100)
    start = body.index("alpha")
    spans = [(start, start + 5), (start + 11, start + 16)]
    snippet, inner = make_snippet(body, spans, width=80)
    assert snippet.startswith("…") and snippet.endswith("…")
    assert [snippet[s:e] for s, e in inner] == ["alpha", "alpha"]
    assert make_snippet("", []) == ("", [])


def test_a_snippet_starts_and_ends_at_a_word_across_line_breaks():
    # The words before and after the window are joined to it by line breaks, not spaces.
    body = "intro " * 30 + "\ninternationalization\nadvancement. NVIDIA chips\nand more\n" + "end " * 60
    start = body.index("NVIDIA")
    snippet, inner = make_snippet(body, [(start, start + 6)], width=40)
    assert [snippet[s:e] for s, e in inner] == ["NVIDIA"]
    words = snippet.strip("…").split()
    assert all(word in body.split() for word in words), snippet


def test_a_snippet_is_the_articles_text_not_its_list_of_links(write_corpus, tmp_path):
    from datetime import datetime

    from reader.core.articles import links_start
    from reader.core.extract import html_to_text
    from reader.core.feeds import render_article

    def fetched(html: str) -> bytes:  # as reader fetch writes an entry
        return render_article(title="Kernel news", date=datetime(2025, 9, 15), source="LWN",
                              author="", url="https://lwn.example/k", tags=(),
                              body=html_to_text(html, "https://lwn.example/k"))

    links = "".join(f'<a href="https://kernel.example/scheduler/{n}">part {n}</a> '
                    for n in range(4))
    root = write_corpus({
        # One hit in the text, far from the list of links that holds four.
        "long.txt": fetched("<p>The new scheduler is merged.</p><p>" + "Filler words. " * 30
                            + f"</p><p>Read {links}</p>"),
        # A short text: a window of 200 characters would run on into the list.
        "short.txt": fetched('<p>A <a href="https://kernel.example/tour">tour</a> of the '
                             "new scheduler.</p>"),
    })
    searcher = Searcher(CorpusIndex(root, tmp_path / "index").open())
    searcher.index.update()
    hits = {hit.path: hit for hit in searcher.search("scheduler").hits}
    long_body = searcher.index.read("long.txt").body
    assert "Links:\n[1] https://kernel.example/scheduler/0" in long_body  # kept in the file
    assert long_body[links_start(long_body):].startswith("Links:\n[1] ")
    assert hits["long.txt"].snippet.startswith("The new scheduler is merged.")
    assert hits["short.txt"].snippet == "A tour[1] of the new scheduler."
    for hit in hits.values():
        assert "Links:" not in hit.snippet and "https://" not in hit.snippet
        assert [hit.snippet[s:e] for s, e in hit.snippet_spans] == ["scheduler"]
    # When the only hits are in the list, the list is the snippet.
    only = searcher.search("example").hits
    assert sorted(hit.path for hit in only) == ["long.txt", "short.txt"]
    for hit in only:
        assert "https://kernel.example/" in hit.snippet
        assert {hit.snippet[s:e] for s, e in hit.snippet_spans} == {"example"}
    # A last paragraph that merely begins "Links:" is text.
    text = "Intro.\n\nLinks: a new sausage chain opens in town."
    assert links_start(text) == len(text)


def test_related_articles(searcher):
    related = [hit.path for hit in searcher.related("madrid.txt")]
    assert "madrid.txt" not in related
    assert related  # shares words such as china, talks and export with others
    assert searcher.related("missing.txt") == []


def test_did_you_mean(searcher):
    results = searcher.search("nvidai")
    assert results.hits == []
    assert results.suggestion == "nvidia"
    assert searcher.search("tiktk algoritm").suggestion == "tiktok algorithm"
    assert searcher.search("zzzzqqq").suggestion is None
    assert searcher.search("nvidia").suggestion is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("NOT", "needs a word after it"),
        ("-tiktok", "need something to leave out from"),
        ("china AND", "needs a word after it"),
        ("OR china", "needs a word before it"),
        ("title:", "needs a word after it"),
        ("the and of", "nothing to search for"),
        ("   ", "type some words"),
        ("x" * 10_000, "query too long"),
        ("date:bogus", "not a date"),
        ("date:[bogus to 2025]", "cannot read the date"),
    ],
)
def test_bad_queries_get_one_line_errors(searcher, query, message):
    with pytest.raises(QueryError) as info:
        searcher.search(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"export restrictions', ["madrid.txt"]),  # an unmatched quote is punctuation
        ("(nvidia", ["madrid.txt"]),
        ("nvidia)", ["madrid.txt"]),
        ("Re: nvidia", []),  # an unknown field is a word: "re" is in no article
        ("<NVIDIA> chipmaker", ["madrid.txt"]),
        ("CHIPMAKER NVIDIA NOT DISCUSSED", ["madrid.txt"]),  # a shouted headline: NOT is a word
        ("Is Nvidia examined?", ["madrid.txt"]),  # a question mark, not a wildcard
        ("date:>2025-09-15", ["xi.txt"]),
    ],
)
def test_pasted_text_just_works(searcher, query, expected):
    assert sorted(paths(searcher, query, limit=0)) == expected


def test_an_exact_title_finds_its_article_first(searcher):
    for path, text in ARTICLES.items():
        title = text.split("\n", 1)[0].removeprefix("Title: ")
        assert paths(searcher, title)[0] == path


def test_a_field_name_inside_quotes_is_just_words(searcher):
    assert searcher.search('"breaking: news"').hits == []


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_any_query_gives_results_or_a_one_line_error(searcher, text):
    try:
        results = searcher.search(text, limit=5)
    except QueryError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert results.total >= len(results.hits)


# Dates: madrid 2025-09-14, xi 2025-09-16, markets 2025-03-02, energy 2024-11-20.
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date:[2025-01-01 to 2025-12-31]", ["madrid.txt", "world/markets.txt", "xi.txt"]),
        ("date:[2025-09-14 to 2025-09-14]", ["madrid.txt"]),  # both ends inclusive, whole days
        ("date:[2025-09-15 to]", ["xi.txt"]),
        ("date:[to 2024-12-31]", ["world/europe/energy.txt"]),
        ("date:2025-09-14", ["madrid.txt"]),
        ("date:<2025", ["world/europe/energy.txt"]),  # before 2025 began, not before it ended
        ("date:<=2025-03", ["world/europe/energy.txt", "world/markets.txt"]),
        ("date:>2025-09-16", []),  # after that day ended
        ("date:>=2025-09-16", ["xi.txt"]),
        ("date:>2025-03", ["madrid.txt", "xi.txt"]),  # after March ended
        ("date:>2024", ["madrid.txt", "world/markets.txt", "xi.txt"]),
        ("china date:<2025-09-15", ["madrid.txt", "world/markets.txt"]),
    ],
)
def test_date_ranges_and_comparisons(searcher, query, expected):
    assert sorted(paths(searcher, query, limit=0)) == expected


def test_dates_are_indexed_by_the_day_and_kept_to_the_second(write_corpus, tmp_path):
    """One term a day at the finest precision (a build writes ~5 fewer terms an article);
    a date query with a time finds its day, and sorting and hits keep the time."""
    times = {"dawn.txt": "2025-09-15 06:10:00", "dusk.txt": "2025-09-15 21:45:30",
             "noon.txt": "2025-09-15 12:00:00", "next.txt": "2025-09-16 00:00:01",
             "eve.txt": "2025-09-14 23:59:59"}
    root = write_corpus({name: f"Title: Story {name}\nDate: {when}\n\nWords here.\n"
                         for name, when in times.items()})
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    searcher = Searcher(index)
    day = ["dawn.txt", "dusk.txt", "noon.txt"]
    assert sorted(paths(searcher, "date:2025-09-15", limit=0)) == day
    assert sorted(paths(searcher, 'date:"2025-09-15 10:00"', limit=0)) == day
    assert sorted(paths(searcher, 'date:"15 sep 2025 10pm"', limit=0)) == day
    assert sorted(paths(searcher, "date:>2025-09-14", limit=0)) == sorted([*day, "next.txt"])
    assert sorted(paths(searcher, "date:{20250915 to]", limit=0)) == sorted([*day, "next.txt"])
    assert paths(searcher, "story", sort="date") == [
        "next.txt", "dusk.txt", "noon.txt", "dawn.txt", "eve.txt"]
    hit = next(h for h in searcher.search("story", limit=0).hits if h.path == "dusk.txt")
    assert hit.date.isoformat() == "2025-09-15T21:45:30"
    with index.searcher() as whoosh_searcher:
        finest = [t for t in whoosh_searcher.reader().lexicon("date") if t[0] == 0]  # shift 0
    assert len(finest) == 3  # 14, 15 and 16 September


@pytest.mark.parametrize("query", ["date:<2025-13", "date:>2025-02-30"])
def test_impossible_dates_in_comparisons_are_explained(searcher, query):
    with pytest.raises(QueryError, match="date"):
        searcher.search(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("talks", ["madrid.txt", "xi.txt"]),  # xi.txt says only "talk"
        ("talk", ["madrid.txt", "xi.txt"]),  # madrid.txt says only "talks"
        ("approving", ["xi.txt"]),  # "approval" does not share the stem; "approve" would
        ("stock", ["world/markets.txt"]),
        ("nvdia~", ["madrid.txt"]),
        ("nvdiia~2", ["madrid.txt"]),
        ("approv*", ["xi.txt"]),
        ("nvid?a", ["madrid.txt"]),  # inside a word ? is one letter (at the end, a question)
        ('title:"tacit approval"', ["xi.txt"]),
        ("title:(tiktok OR markets)", ["world/markets.txt", "xi.txt"]),
        ("export NOT section:world", ["madrid.txt"]),
    ],
)
def test_more_query_forms(searcher, query, expected):
    assert sorted(paths(searcher, query, limit=0)) == expected


def test_accents_are_folded_both_ways_and_the_hits_marked_as_written(write_corpus, tmp_path):
    root = write_corpus({
        "cafe.txt": "Café society returns to Zürich\nThe cafés of ZÜRICH reopened; "
                    "naïve résumés piled up.\n",
        "plain.txt": "Cafe prices in Zurich\nA naive look at resumes.\n",
    })
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    searcher = Searcher(index)
    both = ["cafe.txt", "plain.txt"]
    for query in ("cafe", "café", "CAFÉS", "zurich", "Zürich", "resumes", "résumé", "naïve",
                  "title:zurich", "caf*", "zurih~", "zürih~"):
        assert sorted(paths(searcher, query, limit=0)) == both, query
    assert paths(searcher, '"café society"', limit=0) == ["cafe.txt"]
    hit = searcher.search("cafe zurich").hits
    marked = {h.path: [h.title[a:b] for a, b in h.title_spans] for h in hit}
    assert marked == {"cafe.txt": ["Café", "Zürich"], "plain.txt": ["Cafe", "Zurich"]}
    article = index.read("cafe.txt")
    title_spans, body_spans = searcher.highlights("zurich resume naive", article.title,
                                                  article.body)
    assert [article.title[a:b] for a, b in title_spans] == ["Zürich"]
    assert [article.body[a:b] for a, b in body_spans] == ["ZÜRICH", "naïve", "résumés"]


def test_a_section_the_corpus_lacks_is_named_when_nothing_is_found(searcher, write_corpus,
                                                                   tmp_path):
    results = searcher.search("section:wrld export")
    assert results.hits == []
    assert results.note == "no section 'wrld' (there are world, world/europe)"
    assert searcher.search("section:world/asia").note.startswith("no section 'world/asia'")
    assert searcher.search("section:world zzzunknown").note is None  # the section exists
    assert searcher.search("export NOT section:wrld").note is None  # found: nothing to say
    flat = CorpusIndex(write_corpus({"a.txt": "A\nwords\n"}, "flat"), tmp_path / "ix").open()
    flat.update()
    assert Searcher(flat).search("section:world").note == (
        "no section 'world': the articles are in no subfolder")


def test_a_query_of_dates_and_sections_alone_lists_newest_first(searcher):
    """Nothing in it to rank by: every hit scored alike and came in the files' order."""
    assert paths(searcher, "date:2025") == ["xi.txt", "madrid.txt", "world/markets.txt"]
    assert paths(searcher, "section:world") == ["world/markets.txt", "world/europe/energy.txt"]
    assert paths(searcher, "section:world date:[to 2025-12]") == [
        "world/markets.txt", "world/europe/energy.txt"]
    assert all(hit.score == 0.0 for hit in searcher.search("date:2025").hits)  # no rank
    assert paths(searcher, "date:2025", sort="title") == [
        "world/markets.txt", "xi.txt", "madrid.txt"]
    ranked = searcher.search("china date:2025").hits  # a word: ranked as ever
    assert [h.score for h in ranked] == sorted((h.score for h in ranked), reverse=True)
    assert ranked[0].score > 0


def test_hits_carry_section_date_and_descending_scores(searcher):
    hits = searcher.search("china").hits
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.score > 0 for h in hits)
    markets = next(h for h in hits if h.path == "world/markets.txt")
    assert markets.section == "world"
    assert markets.date.date().isoformat() == "2025-03-02"


def test_phrase_highlights_mark_the_phrase_words(searcher):
    article = searcher.index.read("madrid.txt")
    _, spans = searcher.highlights('"export restrictions"', article.title, article.body)
    assert [article.body[s:e] for s, e in spans] == ["Export", "restrictions"]


def test_every_snippet_span_is_a_matched_word(searcher):
    for query, words in [("china talks", {"china", "talks", "talk"}),
                         ("negotiat* OR storage", {"negotiators", "negotiations", "storage"})]:
        for hit in searcher.search(query, limit=0).hits:
            for s, e in hit.snippet_spans + hit.title_spans:
                text = hit.snippet if (s, e) in hit.snippet_spans else hit.title
                assert text[s:e].lower() in words, (query, hit.path, text[s:e])


def test_related_shares_words_and_never_lists_itself(searcher):
    # xi.txt's body shares only "china" with other articles (the markets body, the madrid
    # title); its most distinctive words it shares with nothing, which must not leave it
    # without related articles. The body that shares it comes first.
    related = [hit.path for hit in searcher.related("xi.txt")]
    assert related == ["world/markets.txt", "madrid.txt"]
    assert "world/europe/energy.txt" in [h.path for h in searcher.related("madrid.txt")]  # export


def test_related_of_an_article_sharing_nothing_is_empty(write_corpus):
    root = write_corpus({"a.txt": "Volcano erupts\nlava flows\n", "b.txt": "Chess final\nknight moves\n"})
    index = CorpusIndex(root).open()
    index.update()
    assert Searcher(index).related("a.txt") == []


def test_search_on_an_empty_corpus(write_corpus):
    index = CorpusIndex(write_corpus({})).open()
    index.update()
    results = Searcher(index).search("anything")
    assert results.hits == [] and results.total == 0 and results.suggestion is None


TRICKY_WORDS = [
    "China's", "anti-trust", "2025", "café", "Zürich", "naïve", "e-mail", "U.S.", "o'clock",
    "don't", "talks", "talk", "talking", "running", "Nvidia", "NVIDIA", "iPhone", "x86", "3.5%",
    "$40", "co-operation", "straße", "Ελλάδα", "東京", "well-known", "re-election", "title", "date",
    "section", "near", "mid-2025", "#hashtag", "@user", "under_score", "file.txt", "v2", "10,000",
    "ﬁnance", "AT&T", "to", "or", "c++",
]


def test_a_single_word_finds_exactly_the_articles_holding_it(write_corpus):
    """The acceptance rule, on awkward words: what the analyzer reads in an article is what a
    one-word query finds; a word it reads as nothing is a one-line error, not a wrong answer."""
    import random
    from collections import defaultdict

    rng = random.Random(3)
    files = {}
    for i in range(60):
        words = rng.sample(TRICKY_WORDS, 6)
        files[f"a{i:02}.txt"] = f"Story {i} {words[0]}\n" + " ".join(words[1:]) + "\n"
    index = CorpusIndex(write_corpus(files)).open()
    index.update()
    searcher = Searcher(index)
    analyzer = index.schema["body"].analyzer
    postings = defaultdict(set)
    for path, text in files.items():
        for token in analyzer(text):
            postings[token.text].add(path)
    for word in TRICKY_WORDS:
        stems = [token.text for token in analyzer(word)]
        if not stems:
            with pytest.raises(QueryError, match="nothing to search for"):
                searcher.search(word)
            continue
        expected = set.intersection(*(postings[stem] for stem in stems))
        assert expected, word  # every word is in some article
        assert {h.path for h in searcher.search(word, limit=0).hits} == expected, word


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("title:tiktk", "title:tiktok"),
        ('"tacit aproval"', '"tacit approval"'),  # a phrase is respelled word by word
        ("madird date:2025", "madrid date:2025"),  # the rest of the query is kept
        ("NVIDAI", "nvidia"),
        ("tiktok nvidia", None),  # both are real words: no respelling finds more
        ("source:wyre", None),  # other fields' values are not respelled
    ],
)
def test_did_you_mean_forms(searcher, query, suggestion):
    results = searcher.search(query)
    assert results.hits == []
    assert results.suggestion == suggestion
    if suggestion:
        assert searcher.search(suggestion).hits


def test_sections_with_spaces_and_capitals(write_corpus):
    root = write_corpus({"World News/Europe Now/c.txt": "C\nalpha\n", "World News/b.txt": "B\nalpha\n",
                         "World/a.txt": "A\nalpha\n", "Tech/d.txt": "D\nalpha\n"})
    index = CorpusIndex(root).open()
    index.update()
    searcher = Searcher(index)
    for query, expected in [
        ('section:"world news"', ["World News/Europe Now/c.txt", "World News/b.txt"]),
        ('section:"World News/Europe Now"', ["World News/Europe Now/c.txt"]),
        ("section:world_news", ["World News/Europe Now/c.txt", "World News/b.txt"]),
        ("section:World", ["World/a.txt"]),
        ("alpha NOT section:tech", ["World News/Europe Now/c.txt", "World News/b.txt", "World/a.txt"]),
    ]:
        assert sorted(h.path for h in searcher.search(query, limit=0).hits) == expected, query
    assert {h.section for h in searcher.search("section:tech").hits} == {"Tech"}


WORDS = st.sampled_from(["Talks", "talk", "talking", "the", "U.S.", "a", "happy", "happiness",
                         "cry", "cried", "Ünïcode", "naïve", "x2", "3.14", "under_score",
                         "Café", "CAFES", "résumé", "Naive", "won't", "O'Sullivan", "Talk’s",
                         "_happy_", "pic.twitter.com", "jane.roe@ex.com", "@"])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.tuples(st.one_of(WORDS, st.text(max_size=8)),
                          st.sampled_from([" ", ".", "..", "*", ".*", "\n", "-", "", "'", "_",
                                           "@", "’"])),
                max_size=40),
       st.sets(st.sampled_from(["talk", "the", "happi", "cri", "u.s", "naïv", "x2", "a", "3.14",
                                "naiv", "cafe", "resum", "unicod", "wont", "won", "osullivan",
                                "sullivan", "talk", "twitter", "com", "u.", "_happi_"])))
def test_hit_offsets_are_the_analyzers_own(words, terms):
    """Finding only the words that hit gives exactly the spans the analyzer's walk finds,
    dots, stars and words run together included; accents folded or not."""
    from whoosh.analysis import StemmingAnalyzer

    from reader.core.analysis import folding_analyzer
    from reader.core.search import find_spans

    text = "".join(word + sep for word, sep in words)
    for analyzer in (StemmingAnalyzer(), folding_analyzer()):
        expected = [(t.startchar, t.endchar)
                    for t in analyzer(text, chars=True, mode="index", removestops=False)
                    if t.text in terms]
        assert find_spans(text, terms, analyzer) == expected
        assert find_spans(text, terms, analyzer) == expected  # and again, from the memo


def test_snippets_for_the_first_hits_now_and_the_rest_later(searcher):
    full = searcher.search("china OR export", limit=None)
    assert len(full.hits) >= 3 and all(hit.snippet for hit in full.hits)
    some = searcher.search("china OR export", limit=None, snippets=1)
    assert some.hits[0].snippet and not any(hit.snippet for hit in some.hits[1:])
    searcher.add_snippets(some.hits, some.terms)
    assert [(h.snippet, h.snippet_spans, h.title_spans) for h in some.hits] == \
        [(h.snippet, h.snippet_spans, h.title_spans) for h in full.hits]


# --- searchers kept open, and the spelling words held in memory ---------------------------


def bump(path, text):
    """New content and a later mtime, as an editor leaves a file."""
    import os

    path.write_text(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_a_kept_searcher_sees_every_commit_and_no_article_twice(sample_corpus, tmp_path):
    """Searchers are kept open between searches; after a commit (here from a second
    CorpusIndex, as the app's indexer process makes them) the next search sees it, and an
    article changed in place is found once, as it is now (Whoosh's own refresh() would keep
    the old segment's reader and its old deletions)."""
    index = CorpusIndex(sample_corpus, tmp_path / "ix").open()
    index.update()
    searcher = Searcher(index)
    assert paths(searcher, "glaciers") == []
    assert paths(searcher, "blessing") == ["xi.txt"]
    bump(sample_corpus / "xi.txt", "TikTok deal revised\nnow about glaciers and a blessing\n")
    other = CorpusIndex(sample_corpus, tmp_path / "ix").open()
    assert other.update().updated == ["xi.txt"]
    assert paths(searcher, "glaciers") == ["xi.txt"]
    assert paths(searcher, "blessing") == ["xi.txt"]
    assert paths(searcher, "signalled") == []  # the old text is gone
    assert searcher.search("tiktok", limit=0).total == len(paths(searcher, "tiktok", limit=0))


def test_words_as_written_are_filed_with_each_commit_and_matched_within_edits(write_corpus,
                                                                             tmp_path):
    """Fuzzy terms, wildcards and "did you mean" use the words of the articles as written,
    filed beside the index with each commit (words.py), not Whoosh's spelling fields."""
    from collections import Counter

    from reader.core.words import MAX_FILES, Lexicon, distance

    vocabulary = ["market", "markets", "marker", "makret", "marked", "mark", "remarket",
                  "maket", "Nvidia", "nvdia", "cafe", "café", "naïve", "naive", "ab", "abc",
                  "ba", "U.S.", "x", "e.g.", "under_score", "won't", "O'Sullivan",
                  "pic.twitter.com", "*Gulp*", "Market", "market"]
    bodies = {f"a{i}.txt": " ".join(vocabulary[i::3]) for i in range(3)}
    root = write_corpus({name: f"Story {name}\n{body}\n" for name, body in bodies.items()})
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    folder = tmp_path / "ix" / "ix-1" / "words"
    assert sorted(p.name.split(".")[1] for p in folder.glob("*.words")) == ["body", "title"]

    lexicon = Lexicon(folder)  # as a new process finds them
    analyzer = index.schema["body"].analyzer
    # Every token as the tokenizer gives it, lower-cased (not stopped, not stemmed).
    written = Counter(t.text for body in bodies.values()
                      for t in analyzer.items[0](body, mode="index") if len(t.text) > 1)
    as_written = {text.lower() for text in written}
    body = lexicon.words("body")
    assert body.known == as_written
    assert "u.s" in body and "e.g" in body and "café" in body
    assert {"wont", "won", "osullivan", "sullivan", "pic", "twitter", "gulp"} <= body.known
    assert "pic.twitter.com" not in body and "*gulp*" not in body
    assert body.count("market") == 3 and body.count("u.s") == 1  # Market, market, market
    assert set(lexicon.words("title").known) == {"story", "a0", "a1", "a2", "txt"}
    for text in ["market", "markte", "mraket", "cafe", "naive", "ab", "nvida", "zzz"]:
        for maxdist, prefix in [(1, 1), (1, 2), (2, 1), (2, 2), (1, 0), (0, 0)]:
            expected = sorted(w for w in as_written
                              if w[:prefix] == text[:prefix] and distance(text, w, maxdist) <= maxdist)
            assert body.within(text, maxdist, prefix) == expected, (text, maxdist, prefix)
    assert body.starting("mark") == ["mark", "marked", "marker", "market", "markets"]
    assert distance("makret", "market", 1) == 1 and distance("market", "mzzzet", 2) == 3

    # Every commit files its words; past MAX_FILES they are merged into one file.
    for i in range(MAX_FILES + 3):
        (root / f"b{i}.txt").write_text(f"More {i}\nword{i} again\n")
        index.update()
    assert len(list(folder.glob("*.body.words"))) <= MAX_FILES
    merged = Lexicon(folder).words("body")
    assert {f"word{i}" for i in range(MAX_FILES + 3)} | as_written <= merged.known
    searcher = Searcher(index)
    assert sorted(paths(searcher, "word14~", limit=0)) == sorted(
        f"b{i}.txt" for i in (1, 4, 10, 11, 12, 13, 14))  # one edit from "word14"
    assert sorted(paths(searcher, "word1*", limit=0)) == sorted(
        f"b{i}.txt" for i in (1, 10, 11, 12, 13, 14))


def test_hit_offsets_for_every_stem_of_an_english_text():
    """Every word of a text full of inflections is found from its stem (the regex looks for
    the stem less its last letter, then checks each word found with the analyzer)."""
    from whoosh.analysis import StemmingAnalyzer

    from reader.core.analysis import folding_analyzer
    from reader.core.search import find_spans

    text = ("Sensibility, relational happiness: the happy child cried and cries. Conditional "
            "generalization of organizations; operators radically hopping. Agreed feeds, "
            "ponies' caresses, rational triplicate formative formalize electricity electrical "
            "hopeful goodness adjustable defensible replacement dependent adoption "
            "communism activate effective bowdlerize probate CEASED controlling U.S. e.g. "
            "3.14 x2 naïve Ünïcode under_score Sensible sensibly généralisation")
    for analyzer in (StemmingAnalyzer(), folding_analyzer()):
        # (Whoosh yields one Token object over and over: copy what it says as it goes.)
        tokens = [(t.text, t.startchar, t.endchar)
                  for t in analyzer(text, chars=True, mode="index", removestops=False)]
        assert len(tokens) >= 50  # (ours also gives the pieces of U.S., e.g. and 3.14)
        for stem in {text for text, _, _ in tokens}:
            expected = [(start, end) for text_, start, end in tokens if text_ == stem]
            assert find_spans(text, {stem}, analyzer) == expected, stem
    every = {text for text, _, _ in tokens}
    assert find_spans(text, every, analyzer) == [(start, end) for _, start, end in tokens]


@pytest.mark.parametrize(("text", "shown"), [("date:2025-13", "'2025-13'"),
                                             ("date:2025-02-30", "'2025-02-30'"),
                                             ("date:someday", "'someday'")])
def test_a_bad_date_is_quoted_as_typed(searcher, text, shown):
    with pytest.raises(QueryError, match=f"^{shown} is not a date: use e.g. date:2025-09-15"):
        searcher.search(text)


def test_kept_searchers_of_an_older_commit_are_all_closed(sample_corpus, tmp_path):
    """Two searchers kept from one commit: the next search after a new commit closes both
    (each holds files open that a merge may have deleted), not only the one it takes."""
    index = CorpusIndex(sample_corpus, tmp_path / "ix").open()
    index.update()
    with index.searcher() as first, index.searcher() as second:
        assert first is not second
    bump(sample_corpus / "xi.txt", "TikTok deal revised\nnow about glaciers\n")
    CorpusIndex(sample_corpus, tmp_path / "ix").open().update()
    with index.searcher() as fresh:
        assert fresh is not first and fresh is not second
        assert first.is_closed and second.is_closed
    assert paths(Searcher(index), "glaciers") == ["xi.txt"]


def test_the_count_of_a_query_that_leaves_words_out_is_exact(tmp_path):
    """Whoosh miscounts a NOT query whose top filled (121 of the 329 articles with
    "inflation" and not "summit" in this corpus): "1 of 121 results" for 329."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "make_corpus", Path(__file__).resolve().parents[2] / "bench" / "make_corpus.py")
    make_corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_corpus)
    root = make_corpus.make_corpus(800, tmp_path / "corpus")
    index = CorpusIndex(root, tmp_path / "ix").open()
    index.update()
    searcher = Searcher(index)
    for text in ("inflation -summit", "market NOT vote", "(police -city) OR zzzz"):
        every = len(searcher.search(text, limit=0, snippets=False).hits)
        assert every > 40  # the top of 1 and of 20 fills
        for limit in (1, 20):
            assert searcher.search(text, limit=limit, snippets=False).total == every, text
            later = searcher.search(text, limit=limit, snippets=False, count=False)
            assert searcher.count(later) == every, text


# --- search that forgives: typos, pasted text, slow queries ----------------------------------


def _searcher_of(write_corpus, files, name="corpus"):
    index = CorpusIndex(write_corpus(files, name)).open()
    index.update()
    return Searcher(index)


NEWS = {
    "murder.txt": "Man charged with murder over Co Down death\nPolice said the man was held.\n",
    "pay.txt": "Workers paid late\nThe firm paid its workers late; pay rises were paid. "
               "Pay talks, pay deals and paid leave were discussed; wages paid. " * 3 + "\n",
    "pai.txt": "Ajit Pai speaks\nThe regulator Pai spoke about networks.\n",
    "panic.txt": "Markets panic\nA brief panic hit the markets.\n",
    "report.txt": "Floods reported\nThe river reportedly rose overnight; it was reported.\n",
    "colonies.txt": "Colonies on Mars\nA plan for settlements, written by engineers.\n",
    "colony.txt": "Settlements\nThe colony grew on the red planet.\n",
}


def test_did_you_mean_ranks_real_words_as_written_by_how_common(write_corpus):
    """"paic" is a typo of "paid" (written 15 times), not of "pai", written twice, whose
    stem is also the stem of pay (nor of "panic", written three times: a letter left out
    is likelier than one changed, but not five times as likely)."""
    searcher = _searcher_of(write_corpus, NEWS)
    assert searcher.search("paic").suggestion == "paid"
    assert searcher.search("eportedly").suggestion == "reportedly"  # the first letter too
    assert searcher.search("murer").suggestion == "murder"


def test_a_typo_is_corrected_and_says_what_was_corrected(write_corpus):
    searcher = _searcher_of(write_corpus, NEWS)
    results = searcher.search("Man charged with murer over Co Down death", correct=True)
    assert [hit.path for hit in results.hits] == ["murder.txt"]
    assert results.query == "Man charged with murer over Co Down death"
    assert results.respelled == "Man charged with murder over Co Down death"
    assert results.corrections == [("murer", "murder")]
    assert results.suggestion is None
    assert "murder" in results.terms  # what the snippets and the article pane highlight
    exact = searcher.search("Man charged with murer over Co Down death")
    assert exact.hits == [] and exact.respelled is None
    assert exact.suggestion == "Man charged with murder over Co Down death"


def test_a_typo_that_makes_another_real_word_is_corrected_in_a_longer_query(write_corpus):
    """"panic" typed "paid" would be a real word: the title finds nothing, and the one
    word without which the rest finds something is respelled."""
    files = {**NEWS, "wit.txt": "A dry wit\nHis wit was famous.\n"}
    searcher = _searcher_of(write_corpus, files)
    results = searcher.search("Man charged wit murder over Co Down death", correct=True)
    assert [hit.path for hit in results.hits] == ["murder.txt"]
    assert results.corrections == [("wit", "with")]
    # Two real words that meet in no article are not a typo.
    assert searcher.search("wit panic", correct=True).hits == []
    assert searcher.search("wit panic").suggestion is None


def test_a_typo_found_in_the_articles_is_corrected_when_the_word_finds_far_more(write_corpus):
    files = {f"w{i:02}.txt": f"World news {i}\nThe world turned.\n" for i in range(40)}
    files["typo.txt"] = "A wolrd apart\nA typo in the article itself.\n"
    searcher = _searcher_of(write_corpus, files)
    results = searcher.search("wolrd", correct=True, limit=0)
    assert results.respelled == "world" and len(results.hits) == 40
    exact = searcher.search("wolrd", limit=0)
    assert [hit.path for hit in exact.hits] == ["typo.txt"] and exact.suggestion is None
    # A rare word whose neighbour is not far more common stays as typed.
    assert searcher.search("typo", correct=True).respelled is None


def test_a_wildcard_glued_to_the_front_of_a_pasted_word_is_punctuation(write_corpus):
    files = {"staff.txt": 'Chief warns "General Staff" of cuts\nThe chief spoke.\n',
             "other.txt": "Minerals found\nIn the mines, minerals and miners.\n"}
    searcher = _searcher_of(write_corpus, files)
    assert paths(searcher, 'Chief warns "?General Staff" of cuts') == ["staff.txt"]
    assert paths(searcher, "?General *Staff") == ["staff.txt"]
    assert sorted(paths(searcher, "mine*")) == ["other.txt"]  # typed at the end: a wildcard
    assert sorted(paths(searcher, "min?rals")) == ["other.txt"]  # inside a word: a wildcard


def test_a_fuzzy_term_finds_a_title_holding_only_a_form_from_the_bodies(write_corpus):
    """``colnoy~`` is one edit from "colony", written only in a body; the title "Colonies
    on Mars" holds its stem: the title is matched too (the words of titles and bodies are
    expanded together)."""
    searcher = _searcher_of(write_corpus, NEWS)
    assert sorted(paths(searcher, "colnoy~")) == ["colonies.txt", "colony.txt"]


def test_a_star_alone_or_beside_words_is_every_article_quickly(write_corpus):
    files = {f"s{i:02}.txt": f"Story {i}\nDate: 2025-01-{i + 1:02}\n\nbody {i}\n" for i in range(20)}
    files["harbour.txt"] = "Title: Harbour\nDate: 2024-01-01\n\nThe harbour reopened.\n"
    searcher = _searcher_of(write_corpus, files)
    everything = searcher.search("*", limit=0)
    assert len(everything.hits) == 21 and everything.total == 21
    assert paths(searcher, "harbour *") == ["harbour.txt"]  # not every article
    assert paths(searcher, "title:* harbour") == ["harbour.txt"]
    assert len(paths(searcher, "harbour OR *", limit=0)) == 21


def test_ranges_and_far_fuzzy_terms_stand_for_a_bounded_set_of_words(write_corpus):
    from reader.core.search import MAX_EXPANSIONS

    files = {f"w{i:04}.txt": f"Word {i}\nterm{i:04} here\n" for i in range(MAX_EXPANSIONS + 50)}
    searcher = _searcher_of(write_corpus, files)
    ranged = searcher.search("[term0000 to term9999]", limit=0, snippets=False)
    assert len(ranged.hits) == MAX_EXPANSIONS
    assert searcher.search("term0001~6", limit=0, snippets=False).ran is not None


def test_a_query_past_its_time_budget_returns_what_it_has_with_a_note(write_corpus):
    searcher = _searcher_of(write_corpus, NEWS)
    results = searcher.search("paid OR panic", budget=0.0)
    assert results.cut_short and "\n" not in results.cut_short
    assert results.total is None
    assert searcher.search("paid OR panic").cut_short is None


def test_the_deadline_collector_keeps_the_hits_found_before_it(write_corpus):
    import time

    from reader.core.search import _Deadline

    files = {f"s{i:04}.txt": f"Story {i}\ncommon words\n" for i in range(600)}
    searcher = _searcher_of(write_corpus, files)
    q = searcher.parse("common")
    with searcher.index.searcher() as whoosh_searcher:
        for deadline, expected, cut in [(time.perf_counter() + 60, 600, False),
                                        (time.perf_counter() - 1, 0, True)]:
            collector = whoosh_searcher.collector(limit=None)
            timed = _Deadline(collector, deadline)
            whoosh_searcher.search_with_collector(q, timed)
            assert (collector.results().scored_length(), timed.cut) == (expected, cut)


def test_related_is_not_decided_by_one_rare_word(write_corpus):
    """Kuwait buying into Sime Darby is about stakes and acquisitions, not about Kuwait's
    shipping: the strongest rare word ("kuwait") must not pull in every article with it."""
    files = {
        "q.txt": "Kuwait increases stake in Sime Darby\nKuwait raised its stake in Sime Darby, "
                 "buying shares to lift its holding; the stake purchase follows other share "
                 "acquisitions and a bid for a stake.\n",
        "acq1.txt": "Fund buys stake in plantation group\nThe fund bought shares, raising its "
                    "stake and holding after acquisitions; a bid for a bigger stake follows.\n",
        "acq2.txt": "Investor lifts holding\nThe investor's stake purchase and share buying "
                    "continued, with acquisitions of shares and a stake bid.\n",
        "ship1.txt": "Kuwait tanker traffic\nKuwait shipping and Kuwait crude; Kuwait tankers "
                     "sailed from Kuwait ports.\n",
        "ship2.txt": "Kuwait crude output\nKuwait oil, Kuwait refinery, Kuwait crude exports.\n",
        **{f"filler{i}.txt": f"Weather {i}\nRain and sun and wind today {i}.\n" for i in range(6)},
    }
    searcher = _searcher_of(write_corpus, files)
    assert [hit.path for hit in searcher.related("q.txt", limit=2)] == ["acq1.txt", "acq2.txt"]


def test_a_phrase_query_snippet_shows_the_phrase(write_corpus):
    """The window with most hits of either word is not where the phrase stands."""
    body = ("Trade was the word of the day: trade, trade, more trade talks. Deal was a "
            "deal, deal after deal, deal. " + "Filler words follow here. " * 12
            + "At last the trade deal was signed.")
    searcher = _searcher_of(write_corpus, {"a.txt": f"Summit\n{body}\n"})
    (hit,) = searcher.search('"trade deal"').hits
    assert "the trade deal was signed" in hit.snippet
    marked = [hit.snippet[s:e] for s, e in hit.snippet_spans]
    assert marked[-2:] == ["trade", "deal"]
    # Either word alone: the busiest window.
    (either,) = searcher.search("trade OR deal").hits
    assert either.snippet.startswith("Trade was the word")


WRITTEN = {
    "tweet.txt": "Photo posted\nSee pic.twitter.com/AbC123 by Jonathan.Amos on the pollution.By "
                 "evening.\n",
    "gulp.txt": "Quiz night\n*Gulp* was all he said, and then sh*t.\n",
    "wont.txt": "He won't go\nO'Sullivan said you're late and they aren't coming; Trump’s aides "
                "agreed.\n",
    "mail.txt": "Contact\nWrite to jane.roe@example.com or see https://www.bbc.co.uk/news/world-1 "
                "for the U.S. story.\n",
    "said.txt": "Phrases\nThe minister said that there was no deal.\n",
    "said2.txt": "More phrases\nOfficials said there was a deal.\n",
}


@pytest.mark.parametrize(("query", "expected"), [
    ("pic.twitter.com", ["tweet.txt"]), ("twitter", ["tweet.txt"]), ("pic", ["tweet.txt"]),
    ("Jonathan.Amos", ["tweet.txt"]), ("amos", ["tweet.txt"]), ('"Jonathan Amos"', ["tweet.txt"]),
    ("jonathan", ["tweet.txt"]), ("pollution", ["tweet.txt"]), ("pollution.By", ["tweet.txt"]),
    ("gulp", ["gulp.txt"]), ("*Gulp*", ["gulp.txt"]), ("sh*t", ["gulp.txt"]),
    ("wont", ["wont.txt"]), ("won't", ["wont.txt"]), ("won’t", ["wont.txt"]),
    ("osullivan", ["wont.txt"]), ("O'Sullivan", ["wont.txt"]), ("sullivan", ["wont.txt"]),
    ("youre", ["wont.txt"]), ("you're", ["wont.txt"]), ("arent", ["wont.txt"]),
    ("trumps", ["wont.txt"]), ("Trump's", ["wont.txt"]), ("trump", ["wont.txt"]),
    ("jane.roe@example.com", ["mail.txt"]), ("example.com", ["mail.txt"]), ("roe", ["mail.txt"]),
    ("bbc.co.uk", ["mail.txt"]), ("www.bbc.co.uk", ["mail.txt"]), ("bbc", ["mail.txt"]),
    ("https://www.bbc.co.uk/news/world-1", ["mail.txt"]), ("U.S.", ["mail.txt"]),
    ('"said that there"', ["said.txt"]), ('"said there"', ["said2.txt"]),
    ('"minister said that there"', ["said.txt"]),
    # The index keeps a stop word's place, not which stop word it was.
    ('"said the there"', ["said.txt"]), ('"said there that"', ["said2.txt"]),
])
def test_every_word_is_found_as_a_reader_would_type_it(write_corpus, query, expected):
    searcher = _searcher_of(write_corpus, WRITTEN)
    assert sorted(paths(searcher, query, limit=0)) == expected


def test_the_hits_of_pieces_and_apostrophes_are_marked_where_they_stand(write_corpus):
    searcher = _searcher_of(write_corpus, WRITTEN)
    text = WRITTEN["wont.txt"].replace("\n", " ")
    for query, marked in [("sullivan", ["Sullivan"]), ("osullivan", ["O'Sullivan"]),
                          ("wont", ["won't"]), ("trump", ["Trump’s"])]:
        _, spans = searcher.highlights(query, "", text)
        assert [text[s:e] for s, e in spans] == marked, query
    text = WRITTEN["tweet.txt"].split("\n", 1)[1]
    _, spans = searcher.highlights('"Jonathan Amos"', "", text)
    assert [text[s:e] for s, e in spans] == ["Jonathan", "Amos"]
    (hit,) = searcher.search("twitter").hits
    assert [hit.snippet[s:e] for s, e in hit.snippet_spans] == ["twitter"]


def test_a_phrase_snippet_does_not_skip_stop_words(write_corpus):
    body = ("They said that there was rain. " + "Filler words follow here. " * 12
            + "Later they said there was sun.")
    searcher = _searcher_of(write_corpus, {"a.txt": f"Weather\n{body}\n"})
    (hit,) = searcher.search('"said there"').hits
    assert "they said there was sun" in hit.snippet


def test_a_word_no_article_has_is_respelled_even_when_its_stem_finds_something(write_corpus):
    files = {"s.txt": "A struggle\nThe long struggle of the workers.\n",
             "q.txt": "Kuiper belt object\nA new object was found.\n"}
    searcher = _searcher_of(write_corpus, files)
    results = searcher.search("struggl")  # the stem of "struggle": found
    assert [hit.path for hit in results.hits] == ["s.txt"]
    assert results.suggestion == "struggle"
    assert searcher.search("struggle").suggestion is None
    # A question mark after a typo, and a star before one, are punctuation there too.
    assert searcher.search("Kuiper object fuond?", correct=True).corrections == [
        ("fuond", "found")]
    assert searcher.search("*fuond object", correct=True).respelled == "*found object"


def test_articles_made_of_the_same_words_are_related(write_corpus):
    """Every word of these is in every article: none is rare, and all of them relate."""
    files = {f"a{i}.txt": f"Ministers meet ({i})\nMinisters met in Madrid to talk trade.\n"
             for i in range(4)}
    searcher = _searcher_of(write_corpus, files)
    assert sorted(hit.path for hit in searcher.related("a0.txt")) == ["a1.txt", "a2.txt", "a3.txt"]


def test_a_count_past_its_budget_or_of_a_search_cut_short_is_refused(write_corpus):
    files = {f"s{i:03}.txt": f"Story {i}\ncommon words\n" for i in range(300)}
    searcher = _searcher_of(write_corpus, files)
    later = searcher.search("common", limit=10, count=False)
    assert later.total is None
    with pytest.raises(QueryError, match="takes too long"):
        searcher.count(later, budget=0.0)
    assert later.total is None
    assert searcher.count(later) == 300
    cut = searcher.search("common", limit=10, count=False, budget=0.0)
    with pytest.raises(QueryError, match="took too long"):
        searcher.count(cut)


def test_tags_finds_the_readers_own_tags_beside_the_files(write_corpus):
    """``tags:x`` finds articles tagged x in the app (kept in the reading history, never in
    the file) as well as those whose Tags: header says x."""
    from reader.core.state import StateStore

    root = write_corpus(ARTICLES)
    index = CorpusIndex(root).open()
    index.update()
    store = StateStore(root)
    store.add_tag("world/markets.txt", "Later")
    own = Searcher(index, own_tags=store.paths_tagged)
    assert paths(own, "tags:later") == ["world/markets.txt"]
    assert sorted(paths(own, "tags:tech OR tags:later")) == ["world/markets.txt", "xi.txt"]
    assert paths(own, "tags:tech") == ["xi.txt"]
    assert paths(Searcher(index), "tags:later") == []
    assert own.paths('tags:"later"') == {"world/markets.txt"}
    assert own.paths("tags:tech OR tags:later") == {"world/markets.txt", "xi.txt"}


def test_the_articles_of_a_query_are_found_as_typed_within_a_budget(searcher):
    """A saved search is counted as it was saved: a typo is not respelled, and a query that
    takes too long says so rather than holding a worker for minutes."""
    assert searcher.paths("nvidai") == set()
    with pytest.raises(QueryError, match="takes too long"):
        searcher.paths("*", budget=-1)
