"""Hostile article text in the app: shown as inert characters, never acted on."""

from __future__ import annotations

from app_support import make_app, settle

HOSTILE = (
    "Evil \x1b[2J\x1b]0;pwned\x07title [bold red]markup[/] \u202eesrever\n"
    "Body \x1b]52;c;ZXZpbA==\x07 clipboard \x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\ "
    "bell\x07 back\x08space nul\x00 zero\u200bwidth \x9b31m c1 [link=http://x]y[/link] [/]\n"
)


async def test_hostile_text_is_inert_in_list_and_article(write_corpus):
    corpus = write_corpus({"evil.txt": HOSTILE, "long.txt": "L" * 100_000 + "\nbody\n"})
    app = make_app(corpus)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        main = app.main
        main.article_list.move_to("evil.txt")
        await pilot.press("enter")
        await settle(app, pilot)
        article = main.article_view.shown.article
        lines = main.article_list.render_lines_plain()
        strips = [main.article_view.render_line(y) for y in range(main.article_view.size.height)]
        drawn = "\n".join(lines) + "\n".join(strip.text for strip in strips)
        for text in (article.title, article.body, drawn):
            assert not any(ord(c) < 32 and c != "\n" for c in text)
            assert not any(0x7F <= ord(c) <= 0x9F for c in text)
            assert "\u202e" not in text and "\u200b" not in text
            assert "]52;" not in text and "]8;;" not in text and "[2J" not in text
        assert "[bold red]markup[/]" in article.title  # markup shown as the characters it is
        assert "[link=http://x]y[/link] [/]" in article.body
        assert app.clipboard == ""  # nothing reached the clipboard
        main.article_list.move_to("long.txt")  # a 100,000-character title is cut, not a crash
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(main.article_view.shown.article.title) <= 300
