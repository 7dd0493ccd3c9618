from course.rendering import render_markdown


def test_markdown_renders_formatting_and_links():
    html = render_markdown("Some **bold** and a [link](https://example.org/).")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_markdown_drops_script_tags():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "Hello" in html


def test_markdown_drops_javascript_links():
    html = render_markdown("[click](javascript:alert(1)) and <a href='javascript:alert(2)'>x</a>")
    assert "javascript:" not in html
    assert "click" in html


def test_markdown_drops_event_handlers_and_data_urls():
    html = render_markdown(
        '<img src="x" onerror="alert(1)"> ![pic](data:text/html;base64,PHNjcmlwdD4=)'
    )
    assert "onerror" not in html
    assert "data:" not in html


def test_markdown_of_empty_text_is_empty():
    assert render_markdown("") == ""
