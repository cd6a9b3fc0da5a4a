"""Reflowing hard-wrapped text: wire copy, Usenet quotes, and what must stay as written."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from reader.core.articles import parse_article
from reader.core.reflow import MAX_REFLOW_CHARS, pager_text, reflow

# A wire story as the agencies sent it: lines broken near 65 columns, each paragraph's first
# line indented, no blank lines, the first line short where its dateline was cut.
WIRE = """\
Harbour Freight Lines Inc said
it has agreed to buy the coastal shipping business of <Delta
Marine Corp> for about 40 mln dlrs in cash and shares, subject
to approval by regulators.
    The company said the purchase would add eleven vessels to its
fleet and give it a route along the northern coast that it has
sought for several years.
    Delta Marine said its board had approved the offer.
    Harbour Freight expects to complete the purchase by the end of
the second quarter.
 Reuter"""

USENET = """\
In article <1993Apr5.1234@example.edu> someone@example.edu (Some One)
writes:
>I have been reading about the new telescope and I wonder whether the
>mirror can be made light enough to launch on a single rocket, given
>what the last mission weighed.

It can, if the segments fold.  The design they published last week
folds eighteen segments into a package that fits the fairing.

--
Jo Bloggs                                  jo@example.org
Department of Folding Things               (555) 123-4567"""


def words(text: str) -> list[str]:
    """The words of a text, whatever its quote marks and line breaks."""
    return [word for word in re.split(r"[\s>]+", text) if word]


def test_a_wire_story_reads_as_paragraphs():
    drawn = reflow(WIRE).text
    assert drawn.split("\n\n") == [
        "Harbour Freight Lines Inc said it has agreed to buy the coastal shipping business of"
        " <Delta Marine Corp> for about 40 mln dlrs in cash and shares, subject to approval"
        " by regulators.",
        "The company said the purchase would add eleven vessels to its fleet and give it a"
        " route along the northern coast that it has sought for several years.",
        "Delta Marine said its board had approved the offer.",
        "Harbour Freight expects to complete the purchase by the end of the second quarter.",
        "Reuter",
    ]


def test_a_wire_story_wrapped_to_a_width_splits_no_word():
    drawn = reflow(WIRE, 40).text
    assert all(cell_len(line) <= 40 for line in drawn.split("\n"))
    assert words(drawn) == words(WIRE)
    assert drawn.startswith("Harbour Freight Lines Inc said it has\nagreed to buy")
    assert "\n\nThe company said the purchase would add\n" in drawn


def test_one_paragraph_a_line_gets_a_blank_line_between_paragraphs():
    body = ("The talks resumed in Madrid on Sunday, with the fate of the platform a key issue "
            "for both delegations and their advisers.\n"
            "Officials said further negotiations were planned in the coming weeks.\n"
            "No agreement was signed.")
    assert reflow(body).text == body.replace("\n", "\n\n")


def test_text_with_blank_lines_and_long_lines_is_left_as_written():
    body = ("A paragraph that is one long line, as most editors save it when nobody wraps the "
            "text by hand, and it goes on for a good while longer than any terminal.\n\n"
            "Another one, shorter.\n\n  An indented line.")
    reflowed = reflow(body)
    assert reflowed.text == body
    assert [reflowed.to_text(i) for i in range(len(body))] == list(range(len(body)))


def test_a_quote_keeps_its_marks_on_every_line_it_is_wrapped_to():
    drawn = reflow(USENET, 42).text.split("\n")
    quote = [line for line in drawn if line.startswith(">")]
    assert quote == [
        ">I have been reading about the new",
        ">telescope and I wonder whether the mirror",
        ">can be made light enough to launch on a",
        ">single rocket, given what the last",
        ">mission weighed.",
    ]
    assert "It can, if the segments fold.  The design" in drawn  # two spaces kept


def test_a_signature_and_columns_are_kept_as_written():
    drawn = reflow(USENET, 44).text
    assert drawn.endswith(USENET[USENET.index("\n--\n"):])  # longer than 44: still as written
    assert drawn.startswith("In article <1993Apr5.1234@example.edu>\nsomeone@example.edu (Some")


def test_a_quote_line_that_lost_its_marks_is_put_back_in_the_quote():
    """Quoted, then wrapped again by the next poster's editor: the tail lost its ">"."""
    body = textwrap.dedent("""\
        In article <1qkm@example.edu> someone@example.edu (Some One) writes:
        >>There are actually only two of us working on it, and the rest is a rumour.  Oh
        yeah,
        >>the name is not my real name, as everybody here knows by now anyway, and
        >>so I will not pretend otherwise for the sake of the thread.

        Fair enough, and thanks for the honest answer about all of that; we will
        take it from here and ask the others what they know about the project.""")
    drawn = reflow(body, 60).text
    assert ">>There are actually only two of us working on it, and the\n" \
           ">>rest is a rumour.  Oh yeah, the name is not my real name,\n" \
           ">>as everybody here knows by now anyway, and so I will not\n" \
           ">>pretend otherwise for the sake of the thread.\n\n" in drawn


def test_lists_tables_code_and_short_lines_stay_as_written():
    body = textwrap.dedent("""\
        The committee listed the launches planned for the coming year, which are these
        and no others, as far as anybody at the agency could tell us this week:

        * Apr 29 - Astra 1C Ariane Launch
        * May 13 - Air Force Titan 4 Launch, delayed from the spring because of a
          fault in the second stage that took the contractor months to find
        - Jun 04 - Lunar Eclipse
        Quarter      Launches    Failures
        First              12           1
        Second              9           0
        The programme runs this loop every night, and nobody has touched it since:
            for (i = 0; i < n; i++) { total += weight[i] * value[i]; }
        Mission Control
        Building 30
        Houston""")
    drawn = reflow(body).text.split("\n")
    assert drawn == [
        "The committee listed the launches planned for the coming year, which are these and"
        " no others, as far as anybody at the agency could tell us this week:",
        "",
        "* Apr 29 - Astra 1C Ariane Launch",
        "* May 13 - Air Force Titan 4 Launch, delayed from the spring because of a fault in"
        " the second stage that took the contractor months to find",
        "- Jun 04 - Lunar Eclipse",
        "Quarter      Launches    Failures",
        "First              12           1",
        "Second              9           0",
        "The programme runs this loop every night, and nobody has touched it since:",
        "    for (i = 0; i < n; i++) { total += weight[i] * value[i]; }",
        "Mission Control",
        "Building 30",
        "Houston",
    ]
    wrapped = reflow(body, 50).text.split("\n")
    assert "* May 13 - Air Force Titan 4 Launch, delayed from" in wrapped
    assert "  the spring because of a fault in the second" in wrapped  # hangs under its text


def test_a_list_without_bullets_is_not_run_together():
    body = textwrap.dedent("""\
        The calendar below is updated monthly, and the latest copy is available from the
        usual archive; send corrections to the editor at the address in the signature.

          May 04 - Galileo Enters Asteroid Belt Again
          May 13 - Air Force Titan 4 Launch
          May 25 - Magellan, Aerobraking Begins""")
    assert reflow(body).text.split("\n")[1:] == body.split("\n")[2:]
    spaced = reflow(body.replace("\n\n", "\n")).text  # no blank line: paragraphs get one
    assert spaced.split("\n")[1:] == ["", "May 04 - Galileo Enters Asteroid Belt Again",
                                      "May 13 - Air Force Titan 4 Launch",
                                      "May 25 - Magellan, Aerobraking Begins"]


def test_a_word_broken_at_its_hyphen_is_joined_without_a_space():
    body = ("The survey found that the long-term survival of the programme depends on a self-\n"
            "sustaining budget, and on nothing else that the committee could name at all.")
    assert "self-sustaining budget" in reflow(body).text


def test_search_hits_in_the_body_land_on_the_same_words_in_the_drawn_text():
    for body, width in ((WIRE, None), (WIRE, 30), (USENET, 44), (USENET, None)):
        reflowed = reflow(body, width)
        for match in re.finditer(r"\w+", body):
            start, end = reflowed.span(match.start(), match.end())
            assert reflowed.text[start:end] == match.group()
            assert reflowed.to_body(start) == match.start()
    # A phrase across a line break and a quote mark is one span of the drawn text.
    reflowed = reflow(USENET, None)
    start = USENET.index("the\n>mirror")
    drawn_start, drawn_end = reflowed.span(start, start + len("the\n>mirror"))
    assert reflowed.text[drawn_start:drawn_end] == "the mirror"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", ">", "> ", "    ", "* ", "  "]),
                          st.lists(st.text("abcXYZ.,é中-", min_size=1, max_size=9),
                                   min_size=0, max_size=12)), max_size=14),
       st.one_of(st.none(), st.integers(1, 90)))
def test_any_text_keeps_its_words_in_order_and_every_offset_maps(lines, width):
    body = "\n".join(prefix + " ".join(line) for prefix, line in lines)
    reflowed = reflow(body, width)
    drawn = reflowed.text
    assert words(drawn.replace("-", " ")) == words(body.replace("-", " "))
    for match in re.finditer(r"[^\s>]+", body):
        start, end = reflowed.span(match.start(), match.end())
        assert drawn[start:end].replace("\n", "").replace(" ", "") in match.group()


def test_wide_characters_count_as_two_columns():
    body = "\n".join(["東京の株価は今日も上昇した。" * 3 + " 市場は活発だった。"] * 4)
    drawn = reflow(body, 40).text
    assert all(cell_len(line) <= 40 for line in drawn.split("\n") if " " in line)


def test_a_huge_body_is_drawn_as_written():
    body = ("word " * 12 + "\n") * (MAX_REFLOW_CHARS // 60 + 1)
    reflowed = reflow(body, 40)
    assert reflowed.text == body and reflowed.span(100, 104) == (100, 104)


def test_the_pager_gets_the_article_wrapped_without_splitting_words():
    article = parse_article(("Harbour Freight buys the coastal business of Delta Marine for"
                             " 40 mln dlrs\n" + WIRE).encode(), "wire.txt")
    text = pager_text(article, 36)
    assert text.startswith("Harbour Freight buys the coastal\nbusiness of Delta Marine for 40 mln\n"
                           "dlrs\n\nHarbour Freight Lines Inc said it\n")
    assert all(cell_len(line) <= 36 for line in text.splitlines())
    assert words(text) == words(article.title) + words(article.body)
    assert text.endswith("\n\nReuter\n")
