"""The theme module: light and dark palettes, "system" following the desktop, semantic colours,
style sheet sections and icons that follow a switch, readable contrast; and no colour written
anywhere else in ui/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from ideogram_studio.resources import resource
from ideogram_studio.ui.common import theme

UI = Path(theme.__file__).resolve().parents[1]
ICONS = sorted(
    p.relative_to(Path(str(resource("icons")))).with_suffix("").as_posix()
    for p in Path(str(resource("icons"))).rglob("*.svg")
    if p.parent.name != "icons"  # the app icon is in colour, not drawn in currentColor
)


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The test's application in the light theme, put back to light afterwards."""
    theme.apply_theme(qapp, "light")
    yield qapp
    theme.apply_theme(qapp, "light")


def luminance(c: QColor) -> float:
    def channel(v: int) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.red()) + 0.7152 * channel(c.green()) + 0.0722 * channel(c.blue())


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# ---- switching --------------------------------------------------------------------------------------


def test_light_and_dark_set_the_application_palette(app: QApplication, qtbot: QtBot) -> None:
    assert app.style().name().lower() == "fusion"
    window = app.palette().color(QPalette.ColorRole.Window)
    assert window == QColor(theme.LIGHT.roles[QPalette.ColorRole.Window])
    with qtbot.waitSignal(theme.notifier().changed) as changed:
        theme.apply_theme(app, "dark")
    assert changed.args == ["dark"]
    assert app.palette().color(QPalette.ColorRole.Window) == QColor(theme.DARK.roles[QPalette.ColorRole.Window])
    assert theme.current() is theme.DARK and theme.choice() == "dark"
    assert luminance(app.palette().color(QPalette.ColorRole.Window)) < luminance(window)
    with qtbot.assertNotEmitted(theme.notifier().changed):
        theme.apply_theme(app, "dark")  # the same theme again: nothing to redo


def test_system_follows_the_desktop_now_and_later(
    app: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    desktop = {"scheme": "dark"}
    monkeypatch.setattr(theme, "system_theme", lambda: desktop["scheme"])
    assert theme.apply_theme(app, "system") is theme.DARK
    desktop["scheme"] = "light"
    with qtbot.waitSignal(theme.notifier().changed):
        QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.current() is theme.LIGHT
    # Once the designer picks a theme, the desktop no longer moves it.
    theme.apply_theme(app, "dark")
    desktop["scheme"] = "light"
    QGuiApplication.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert theme.current() is theme.DARK


def test_an_unknown_choice_is_refused(app: QApplication) -> None:
    with pytest.raises(ValueError, match="unknown theme 'sepia'"):
        theme.apply_theme(app, "sepia")  # type: ignore[arg-type]


# ---- colours -----------------------------------------------------------------------------------------


def test_both_themes_name_the_same_colours_and_roles() -> None:
    assert set(theme.LIGHT.colors) == set(theme.DARK.colors)
    assert set(theme.LIGHT.roles) == set(theme.DARK.roles)
    for t in (theme.LIGHT, theme.DARK):
        assert all(QColor(v).isValid() for v in [*t.colors.values(), *t.roles.values(), *t.disabled.values()])


def test_color_and_css_read_the_current_theme(app: QApplication) -> None:
    light = theme.color("error")
    assert light == QColor(theme.LIGHT.colors["error"]) and theme.css("error") == light.name()
    theme.apply_theme(app, "dark")
    assert theme.color("error") == QColor(theme.DARK.colors["error"]) != light
    assert theme.css("overlay_bg") == "rgba(0, 0, 0, 150)"  # translucent colours as rgba()
    with pytest.raises(KeyError, match="no colour 'eror'"):
        theme.color("eror")


@pytest.mark.parametrize("t", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_text_is_readable_in_both_themes(t: theme.Theme) -> None:
    """WCAG AA (4.5:1) for text on its background, semantic text colours on the field colour."""
    r = QPalette.ColorRole
    c = {k: QColor(v) for k, v in t.colors.items()}
    window, base = QColor(t.roles[r.Window]), QColor(t.roles[r.Base])
    pairs = {
        "text on window": (QColor(t.roles[r.WindowText]), window),
        "text on base": (QColor(t.roles[r.Text]), base),
        "selected text": (QColor(t.roles[r.HighlightedText]), QColor(t.roles[r.Highlight])),
        "tooltip": (QColor(t.roles[r.ToolTipText]), QColor(t.roles[r.ToolTipBase])),
        "on accent": (c["on_accent"], c["accent"]),
        "on sandbox badge": (c["on_sandbox_badge"], c["sandbox_badge"]),
        **{f"{name} on window": (c[name], window) for name in ("error", "warning", "ok", "info", "muted", "link")},
        **{f"on {name}": (c["on_state"], c[name]) for name in c if name.startswith("state_")},
        "error on its background": (c["error"], c["error_bg"]),
        "warning on its background": (c["warning"], c["warning_bg"]),
    }
    low = {name: round(contrast(fg, bg), 2) for name, (fg, bg) in pairs.items() if contrast(fg, bg) < 4.5}
    assert not low, f"{t.name}: contrast under 4.5:1 for {low}"


# ---- style sheets, muted text, icons follow a switch ----------------------------------------------


def test_every_style_sheet_section_fills_in(app: QApplication) -> None:
    known = set(theme.LIGHT.colors) | set(vars(theme.METRICS))
    for name in theme.section_names():
        template = theme._sections()[name]
        params = {p: "someObject" for p in re.findall(r"\$\{?(\w+)", template) if p not in known}
        for which in ("light", "dark"):
            theme.apply_theme(app, which)  # type: ignore[arg-type]
            sheet = theme.style_sheet(name, **params)
            assert "$" not in sheet and sheet.count("{") == sheet.count("}"), name
    with pytest.raises(KeyError, match="no section"):
        theme.style_sheet("no-such-section")


def test_a_style_follows_the_theme_and_dies_with_its_widget(app: QApplication, qtbot: QtBot) -> None:
    button = QPushButton("Generate")
    button.setObjectName("sendButton")
    qtbot.addWidget(button)
    button.show()  # (a hidden one follows when shown: test_theme_later.py)
    theme.apply_style(button, "mode-footer", frame="footer", button="sendButton")
    assert theme.LIGHT.colors["accent"] in button.styleSheet()
    theme.apply_theme(app, "dark")
    assert theme.DARK.colors["accent"] in button.styleSheet()
    assert theme.LIGHT.colors["accent"] not in button.styleSheet()
    button.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the binding goes with the button
    theme.apply_theme(app, "light")  # must not touch the deleted button


def test_muted_and_semantic_text_follow_the_theme(app: QApplication, qtbot: QtBot) -> None:
    label = QLabel("secondary")
    qtbot.addWidget(label)
    label.show()  # (a hidden one follows when shown: test_theme_later.py)

    def text() -> QColor:
        return label.palette().color(QPalette.ColorRole.WindowText)

    theme.mute(label)
    light = text()
    r = QPalette.ColorRole
    lo, hi = sorted((QColor(theme.LIGHT.roles[r.WindowText]).red(), QColor(theme.LIGHT.roles[r.Window]).red()))
    assert lo < light.red() < hi  # between the text and the window colour
    theme.apply_theme(app, "dark")
    assert luminance(text()) > luminance(QColor(theme.DARK.roles[r.Window]))  # still lighter than a dark window
    theme.set_text_color(label, "error")  # replaces the muted colour, does not fight it
    assert text() == QColor(theme.DARK.colors["error"])
    theme.apply_theme(app, "light")
    assert text() == QColor(theme.LIGHT.colors["error"])
    theme.set_text_color(label, "ok")
    theme.set_text_color(label, "ok")
    bindings = [c for c in label.children() if c.objectName().startswith("theme-binding")]
    assert len(bindings) == 1 and text() == QColor(theme.LIGHT.colors["ok"])


def test_the_mode_and_tool_icons_exist() -> None:
    modes = {"generate", "remix", "edit", "face-swap", "reframe", "background"}
    tools = {"brush", "eraser", "rectangle", "lasso", "fill", "invert", "clear"}
    assert {f"modes/{m}" for m in modes} | {f"mask/{t}" for t in tools} <= set(ICONS)
    assert {"actions/library", "actions/jobs"} <= set(ICONS)


@pytest.mark.parametrize("name", ICONS)
def test_icons_draw_in_the_theme_colour(app: QApplication, name: str) -> None:
    def ink(which: str) -> list[QColor]:
        """The icon's fully opaque pixels (its strokes, not their anti-aliased edges)."""
        theme.apply_theme(app, which)  # type: ignore[arg-type]
        image = theme.icon(name).pixmap(48, 48).toImage()
        assert not image.isNull() and image.width() == 48
        pixels = [image.pixelColor(x, y) for y in range(image.height()) for x in range(image.width())]
        return [c for c in pixels if c.alpha() == 255]

    for t in (theme.LIGHT, theme.DARK):
        expected = QColor(t.colors["icon"])
        opaque = ink(t.name)
        assert len(opaque) > 20, f"{name} draws almost nothing"
        far = [c.name() for c in opaque if max(abs(c.red() - expected.red()), abs(c.green() - expected.green()),
                                               abs(c.blue() - expected.blue())) > 2]
        assert not far, f"{name} in {t.name}: {sorted(set(far))[:5]} instead of {expected.name()}"


def test_a_bound_icon_is_redrawn_on_a_switch(app: QApplication, qtbot: QtBot) -> None:
    action = QAction("Edit")
    theme.bind_icon(action, "modes/edit")
    light = action.icon().pixmap(24, 24).toImage()
    theme.apply_theme(app, "dark")
    assert action.icon().pixmap(24, 24).toImage() != light


# ---- no colours outside the theme -----------------------------------------------------------------

#: What counts as writing a colour by hand in a widget.
COLOUR_LITERALS = [
    (re.compile(r"\bQColor\(\s*(\d|[\"'])"), "a QColor literal"),
    (re.compile(r"[\"'][^\"'\n]*#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})(?![-\w])"), "a hex colour"),
    (re.compile(r"\brgba?\("), "an rgb() colour"),
    (re.compile(r"\bQt\.GlobalColor\.(?!transparent\b)\w+"), "a Qt global colour"),
    (re.compile(r"\.setStyleSheet\("), "a style sheet set by hand (use theme.apply_style)"),
]
#: A line that holds a colour as data rather than as a look (a mask's alpha values, the colours a
#: new palette offers) says so with this marker.
DATA_MARKER = "# colour as data"


def colour_offences(text: str) -> list[str]:
    found = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if DATA_MARKER in line:
            continue
        code = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        for pattern, what in COLOUR_LITERALS:
            if pattern.search(code):
                found.append(f"{lineno}: {what}: {line.strip()}")
    return found


def test_no_colour_is_written_outside_the_theme() -> None:
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        rel = path.relative_to(UI).as_posix()
        if rel == "common/theme.py":
            continue
        offenders += [f"ui/{rel}:{o}" for o in colour_offences(path.read_text("utf-8"))]
    assert not offenders, "colours belong in ui/common/theme.py (theme.color/css/apply_style):\n" + "\n".join(
        offenders
    )


def test_the_colour_check_can_fail() -> None:
    sample = (
        'p.setPen(QColor(255, 255, 255))\nfill = QColor("#5f6368")\nsheet = "QLabel { color: #c5221f; }"\n'
        'label.setStyleSheet("color: red")\nbrush = Qt.GlobalColor.white\nok = Qt.GlobalColor.transparent\n'
        'name = "QLabel#add-button"\nopaque = QColor(0, 0, 0, 255)  # colour as data: the mask alpha\n'
    )
    lines = {o.split(":", 1)[0] for o in colour_offences(sample)}
    assert lines == {"1", "2", "3", "4", "5"}
