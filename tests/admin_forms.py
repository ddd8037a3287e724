"""Fill a Django admin form the way a browser would: every field as the page renders it."""

from html.parser import HTMLParser


class _FormParser(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._select_value: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value", "")
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = name
            self.data[name] = ""
        elif tag == "select" and name and "disabled" not in attrs:
            self._select, self._select_value = name, None
        elif (
            tag == "option" and self._select and (self._select_value is None or "selected" in attrs)
        ):
            self._select_value = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            self.data[self._select] = self._select_value or ""
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def admin_form_data(html: str, form_id: str = "disclosure_form") -> dict[str, str]:
    parser = _FormParser(form_id)
    parser.feed(html)
    # A textarea's first newline is markup, not content.
    return {k: v.removeprefix("\n") for k, v in parser.data.items()}
