"""The studio's look in one place: palette, spacing, radii and semantic colours, a light and a dark
theme, and the only way widgets get colours, style sheets and icons.

    apply_theme(app, "system")        # at start-up, and the View/Settings switch: "light" | "dark" | "system"
    theme.color("error")              # a semantic colour of the current theme (QColor), read when painting
    theme.css("error")                # the same for a style sheet
    theme.apply_style(widget, "send-button", button="sendButton")   # a section of themes/widgets.qss
    theme.mute(label)                 # secondary text
    theme.bind_icon(action, "modes/edit")                            # an icon from resources/icons
    theme.notifier().changed.connect(slot)                           # anything else that must follow

How it works: the Fusion style with our own QPalette (the robust route: native styles ignore parts
of a palette). "system" follows QStyleHints.colorScheme() (Qt 6.5+) and switches when the desktop
does. Widgets that paint read `color()` in paintEvent, so they follow a switch by repainting (Qt
sends every widget a palette change). What is set once — a style sheet, a muted palette, an icon —
is set through `apply_style` / `mute` / `bind_icon` / `bind`, which re-apply it on every switch
through a small QObject child of the target (it dies with its target). Style sheets are set on the
widgets that need them, never on the whole application: an application-wide sheet re-polishes every
widget (about 150 ms at start-up).

No colour is written anywhere else in ui/ (tests/ui/test_theme.py greps for literals).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, partial
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from ...resources import read_text

if TYPE_CHECKING:
    # PySide6 makes a class (and its Python enums) when it is first imported: the icon and font
    # classes (~8 ms with QtSvg) are imported where they are used, after the window's first frame.
    from PySide6.QtGui import QAction, QIcon, QIconEngine, QPixmap
    from PySide6.QtSvg import QSvgRenderer
    from PySide6.QtWidgets import QAbstractButton

Choice = Literal["light", "dark", "system"]
CHOICES: tuple[Choice, ...] = ("system", "light", "dark")
#: How the View menu and Settings name each choice.
CHOICE_NAMES: dict[Choice, str] = {"system": "System", "light": "Light", "dark": "Dark"}


def as_choice(value: object) -> Choice:
    """A saved theme choice read back: anything unknown (a hand-edited settings file) is "system"."""
    for known in CHOICES:
        if value == known:
            return known
    return "system"


@dataclass(frozen=True)
class Metrics:
    """Spacing and radii in device-independent pixels, the same in every theme."""

    space_xs: int = 2
    space_s: int = 4
    space_m: int = 8
    space_l: int = 12
    space_xl: int = 24
    radius_s: int = 3
    radius_m: int = 4
    radius_l: int = 6
    radius_pill: int = 9  # badges and chips, 18 px high
    large_text_px: int = 15  # empty-state and notice text


METRICS = Metrics()

_R = QPalette.ColorRole


@dataclass(frozen=True)
class Theme:
    """One complete look: the palette roles and the semantic colours (#RRGGBB or #AARRGGBB)."""

    name: Literal["light", "dark"]
    roles: dict[QPalette.ColorRole, str]
    disabled: dict[QPalette.ColorRole, str]
    colors: dict[str, str]

    def palette(self) -> QPalette:
        pal = QPalette()
        for role, value in self.roles.items():
            pal.setColor(role, QColor(value))
        for role, value in self.disabled.items():
            pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(value))
        return pal


# Colours that sit on top of images (badges, HUDs, brush rings, the checkerboard behind transparent
# pixels, the large preview) read against the picture, not the window: the same in both themes.
_OVER_IMAGES = {
    "overlay_bg": "#96000000",  # badges and buttons drawn over a thumbnail
    "overlay_text": "#ebffffff",
    "hud_bg": "#aa141414",  # the viewer's zoom read-out
    "hud_text": "#f5f5f5",
    "ring_dark": "#aa000000",  # the brush outline: a dark and a light ring, visible on any picture
    "ring_light": "#ebffffff",
    "checker_light": "#cccccc",  # behind transparent pixels (viewer and mask canvas)
    "checker_dark": "#999999",
    "preview_bg": "#1b1b1d",  # the library's large preview (Space)
    "preview_border": "#444444",
    "preview_text": "#dddddd",
    "letterbox": "#28000000",  # around a compared image of another aspect ratio
    "divider": "#ffffff",  # the before/after divider and its handle
    "divider_shadow": "#5a000000",
    "divider_handle_edge": "#3c000000",
    "divider_arrow": "#3c3c3c",
    "mask_overlay": "#eb146e",  # the mask's default tint: a magenta-red that reads over most photos
    "favourite": "#e82c5c",
    "rating": "#ffc426",
}

LIGHT = Theme(
    name="light",
    roles={
        _R.Window: "#f1f3f4", _R.WindowText: "#202124", _R.Base: "#ffffff", _R.AlternateBase: "#f6f7f8",
        _R.Text: "#202124", _R.Button: "#f8f9fa", _R.ButtonText: "#202124", _R.BrightText: "#ffffff",
        _R.Highlight: "#1a73e8", _R.HighlightedText: "#ffffff", _R.Link: "#1a73e8", _R.LinkVisited: "#9334e6",
        _R.ToolTipBase: "#3c4043", _R.ToolTipText: "#f1f3f4", _R.PlaceholderText: "#80868b",
        _R.Light: "#ffffff", _R.Midlight: "#e8eaed", _R.Mid: "#b0b4b9", _R.Dark: "#9aa0a6", _R.Shadow: "#5f6368",
    },
    disabled={
        _R.WindowText: "#9aa0a6", _R.Text: "#9aa0a6", _R.ButtonText: "#9aa0a6",
        _R.Highlight: "#bdc1c6", _R.HighlightedText: "#ffffff",
    },
    colors={
        **_OVER_IMAGES,
        "accent": "#1a73e8", "accent_hover": "#1765cc", "accent_pressed": "#185abc", "on_accent": "#ffffff",
        "selection": "#1a73e8",
        "link": "#1967d2",
        "error": "#c5221f", "error_bg": "#fde8e8",
        "warning": "#8a5a00", "warning_bg": "#fff4e0", "warning_border": "#c77700",
        "attention": "#e37400",  # interrupted jobs: needs a look, not an error
        "ok": "#188038",
        "info": "#1967d2",
        "muted": "#5f6368",
        "sandbox_badge": "#b35900", "on_sandbox_badge": "#ffffff",
        "icon": "#5f6368", "icon_disabled": "#bdc1c6",
        "outline": "#50000000",  # around colour swatches
        "indicator_frame": "#80868b",  # the box of a check box or a radio button (≥ 3:1 on Base)
        "placeholder_bg": "#eef0f3", "placeholder_fg": "#9aa0a6",
        # Job state pills: white text on these.
        "state_neutral": "#70757a", "state_active": "#1967d2", "state_done": "#188038",
        "state_failed": "#c5221f", "state_attention": "#b35900", "on_state": "#ffffff",
    },
)

DARK = Theme(
    name="dark",
    roles={
        # Base a little lighter than Window: Fusion draws frames and check boxes in Window.darker(),
        # which would vanish on a darker Base.
        _R.Window: "#202124", _R.WindowText: "#e8eaed", _R.Base: "#2a2b2f", _R.AlternateBase: "#303136",
        _R.Text: "#e8eaed", _R.Button: "#34363b", _R.ButtonText: "#e8eaed", _R.BrightText: "#ffffff",
        _R.Highlight: "#2f6fde", _R.HighlightedText: "#ffffff", _R.Link: "#8ab4f8", _R.LinkVisited: "#c58af9",
        _R.ToolTipBase: "#3c4043", _R.ToolTipText: "#e8eaed", _R.PlaceholderText: "#80868b",
        _R.Light: "#45484d", _R.Midlight: "#34363a", _R.Mid: "#4a4d52", _R.Dark: "#111214", _R.Shadow: "#000000",
    },
    disabled={
        _R.WindowText: "#6f7378", _R.Text: "#6f7378", _R.ButtonText: "#6f7378",
        _R.Highlight: "#3c4043", _R.HighlightedText: "#9aa0a6",
    },
    colors={
        **_OVER_IMAGES,
        "accent": "#2f6fde", "accent_hover": "#4a84e8", "accent_pressed": "#285fc0", "on_accent": "#ffffff",
        "selection": "#4c8df6",
        "link": "#8ab4f8",
        "error": "#f28b82", "error_bg": "#4a2424",
        "warning": "#fdd663", "warning_bg": "#3d3117", "warning_border": "#a8741a",
        "attention": "#f29b4a",
        "ok": "#81c995",
        "info": "#8ab4f8",
        "muted": "#9aa0a6",
        "sandbox_badge": "#b35900", "on_sandbox_badge": "#ffffff",
        "icon": "#bdc1c6", "icon_disabled": "#5f6368",
        "outline": "#60ffffff",
        "indicator_frame": "#8e949b",
        "placeholder_bg": "#2d2f33", "placeholder_fg": "#6f7378",
        "state_neutral": "#5f6368", "state_active": "#2f6fde", "state_done": "#1e7e34",
        "state_failed": "#b3261e", "state_attention": "#b35900", "on_state": "#ffffff",
    },
)

THEMES = {"light": LIGHT, "dark": DARK}


class ThemeNotifier(QObject):
    """Says when the theme changed (its name: "light" or "dark"), and when the designer's choice
    changed ("system", "light" or "dark": a choice of "system" may keep the same theme)."""

    changed = Signal(str)
    choice_changed = Signal(str)
    #: Emitted just before `changed`: style sheets are set again first, since setting a sheet
    #: re-polishes the widget's children and gives them back the palette they were polished with,
    #: undoing a text colour applied before it (an error line turned the old theme's colour).
    restyle = Signal(str)


class _State:
    def __init__(self) -> None:
        self.choice: Choice = "system"
        self.theme: Theme = LIGHT
        self.notifier: ThemeNotifier | None = None
        self.following_system = False
        #: The application's style is Fusion (checked, set, or made so by APP_ARGUMENTS).
        self.fusion = False


_state = _State()

#: What a QApplication the studio makes is given: the Fusion style from the start, so that
#: apply_theme need not ask the application for its style (wrapping a QStyle in Python makes its
#: ~500 enum values: ~5 ms before the first frame). Tell apply_theme with `made_with_fusion()`.
APP_ARGUMENTS = ["-style", "fusion"]


def made_with_fusion() -> None:
    """The application was made with APP_ARGUMENTS."""
    _state.fusion = True


def notifier() -> ThemeNotifier:
    if _state.notifier is None:
        _state.notifier = ThemeNotifier()
    return _state.notifier


def current() -> Theme:
    """The theme in use (light until apply_theme says otherwise)."""
    return _state.theme


def choice() -> Choice:
    """What was asked for: "light", "dark" or "system"."""
    return _state.choice


def system_theme() -> Literal["light", "dark"]:
    """What the desktop prefers (light when it does not say)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def apply_theme(app: QApplication, which: Choice = "system") -> Theme:
    """Use a theme for the whole application; "system" follows the desktop, now and later."""
    if which not in CHOICES:
        raise ValueError(f"unknown theme {which!r}: choose one of {', '.join(CHOICES)}")
    chose_anew = which != _state.choice
    _state.choice = which
    if not _state.following_system:
        QGuiApplication.styleHints().colorSchemeChanged.connect(_on_system_scheme_changed)
        _state.following_system = True
    if not _state.fusion:
        if app.style().name().lower() != "fusion":
            app.setStyle("Fusion")
        _state.fusion = True
    theme = THEMES[system_theme() if which == "system" else which]
    changed = theme is not _state.theme
    _state.theme = theme
    app.setPalette(theme.palette())
    _fix_indicator_outlines(app, theme)
    if changed:
        # A widget under a style sheet keeps the palette it was polished with (Qt does not polish
        # it again for an application palette change): setting its sheet again does. A sheet of
        # apply_style's is set anew by its binding (restyle, next): setting it twice cost as much
        # again (each set re-polishes the widget and everything in it: ~1-3 ms).
        # A hidden widget gets it when next shown (when_shown.py), as it gets the bindings' work.
        from .when_shown import when_shown  # (not before the first frame: no switch comes before it)

        later = when_shown().later
        for widget in app.allWidgets():
            if widget.styleSheet() and not _bound(widget, "style"):
                later(widget, "sheet", 0, partial(_set_sheet_again, widget))
        notifier().restyle.emit(theme.name)
        notifier().changed.emit(theme.name)
    if chose_anew:
        notifier().choice_changed.emit(which)
    return theme


#: The widgets whose indicator Fusion outlines in the Window colour darkened (see below).
_INDICATOR_CLASSES = ("QCheckBox", "QRadioButton")


def _fix_indicator_outlines(app: QApplication, theme: Theme) -> None:
    """Fusion outlines check boxes and radio buttons in `Window.darker(140)`: on a dark window that
    is near black on a near-black field, and the box all but vanishes. These classes get a palette
    whose Window colour darkens to the theme's `indicator_frame` (they paint no background of
    their own, so nothing else changes)."""
    palette = theme.palette()
    frame = QColor(theme.colors["indicator_frame"])
    palette.setColor(_R.Window, frame.lighter(140))
    for class_name in _INDICATOR_CLASSES:
        # (PySide6 takes the class name as str; its stubs say bytes, which it refuses.)
        app.setPalette(palette, class_name)  # type: ignore[arg-type]


def _on_system_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    app = QApplication.instance()
    if _state.choice == "system" and isinstance(app, QApplication):
        apply_theme(app, "system")


def color(name: str) -> QColor:
    """A semantic colour of the current theme: see LIGHT.colors for the names."""
    try:
        return QColor(_state.theme.colors[name])
    except KeyError:
        raise KeyError(f"the theme has no colour {name!r}") from None


def css(name: str) -> str:
    """`color(name)` written for a style sheet (rgba() when it is translucent)."""
    c = color(name)
    if c.alpha() == 255:
        return c.name()
    return f"rgba({c.red()}, {c.green()}, {c.blue()}, {c.alpha()})"


_SECTION = re.compile(r"/\*\s*==\s*([\w-]+)\s*==\s*\*/")


@cache
def _sections() -> dict[str, str]:
    text = read_text("themes", "widgets.qss")
    parts = _SECTION.split(text)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def section_names() -> list[str]:
    return sorted(_sections())


def style_sheet(name: str, **params: str) -> str:
    """The section `name` of themes/widgets.qss, with $colour names, $metrics and `params` filled in."""
    try:
        template = string.Template(_sections()[name])
    except KeyError:
        raise KeyError(f"themes/widgets.qss has no section {name!r}") from None
    return template.substitute(_sheet_values(_state.theme.name), **params)


@cache
def _sheet_values(theme_name: str) -> dict[str, object]:
    """$colour names and $metrics of the theme in use, which is `theme_name` (a theme switch
    fills in ~90 sheets: the ~50 colours were written out for each)."""
    values: dict[str, object] = {k: css(k) for k in THEMES[theme_name].colors}
    values.update(vars(METRICS))
    return values


class _Binding(QObject):
    """Re-applies something to its parent (the target) whenever the theme changes; dies with it."""

    def __init__(self, target: QObject, apply: Callable[[], None], key: str) -> None:
        super().__init__(target)
        self.setObjectName(f"theme-binding-{key}")
        self.apply = apply
        #: Style sheets before palettes and icons (a sheet re-polishes what the widget holds).
        self._phase = 1 if key == "style" else 2
        signal = notifier().restyle if key == "style" else notifier().changed
        signal.connect(self._on_changed)

    def _on_changed(self, _name: str) -> None:
        target = self.parent()
        if isinstance(target, QWidget):  # (a hidden one when next shown: before it paints)
            from .when_shown import when_shown

            when_shown().later(target, self.objectName(), self._phase, self._apply)
        else:
            self.apply()

    def _apply(self) -> None:
        self.apply()  # (`apply` may be replaced by a later bind() before the widget is shown)


def _set_sheet_again(widget: QWidget) -> None:
    widget.setStyleSheet(widget.styleSheet())


def _bound(target: QObject, key: str) -> _Binding | None:
    """The binding of `key` on `target`, if it has one."""
    found = target.findChild(_Binding, f"theme-binding-{key}", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, _Binding) else None


def bind(target: QObject, apply: Callable[[], None], key: str = "") -> None:
    """Call `apply` now and after every theme change, for as long as `target` lives. A `key`
    names what is applied ("style", "text-color", "icon"): binding the same key again replaces
    the earlier one instead of adding a second."""
    found = _bound(target, key) if key else None
    if isinstance(found, _Binding):
        found.apply = apply
    else:
        _Binding(target, apply, key or f"anonymous-{id(apply)}")
    apply()


def apply_style(widget: QWidget, *names: str, **params: str) -> None:
    """Give `widget` the style sheet sections `names` (see `style_sheet`), kept up to date; a later
    call replaces it (a drop zone's highlighted and normal looks, say)."""
    bind(widget, lambda: widget.setStyleSheet("\n".join(style_sheet(name, **params) for name in names)), "style")


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """`a` moved `amount` (0..1) of the way towards `b`."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def _set_text(widget: QWidget, colour: QColor) -> None:
    pal = widget.palette()
    for r in (_R.WindowText, _R.Text):
        pal.setColor(r, colour)
    widget.setPalette(pal)


def mute(widget: QWidget, amount: float = 0.45) -> None:
    """Secondary text: the theme's text colour blended `amount` of the way towards the window
    colour (so it reads in both themes), kept up to date."""

    def apply() -> None:
        t = _state.theme
        _set_text(widget, blend(QColor(t.roles[_R.WindowText]), QColor(t.roles[_R.Window]), amount))

    bind(widget, apply, "text-color")


def strong(widget: QWidget) -> None:
    """A title or a label that leads its group: semi-bold (the weight every heading uses)."""
    from PySide6.QtGui import QFont

    font = widget.font()
    font.setWeight(QFont.Weight.DemiBold)
    widget.setFont(font)


def set_text_color(widget: QWidget, name: str) -> None:
    """Text of `widget` in the semantic colour `name` ("error", "ok", "muted"...), kept up to date;
    a later call (or `mute`) replaces it."""
    bind(widget, lambda: _set_text(widget, color(name)), "text-color")


def _svg_pixmap(renderer: QSvgRenderer, side: int) -> QPixmap:
    # Rendered from the bytes by QSvgRenderer, not read through a QBuffer made in Python: Qt calls
    # such a buffer's virtuals holding its image-plugin lock and they need the GIL, which a worker
    # decoding an image at that moment holds while it waits for the lock (a deadlock).
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage, QPainter, QPixmap

    image = QImage(QSize(side, side), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return QPixmap.fromImage(image)


#: Every icon engine made (Qt owns each through its QIcon; kept here so that Python never frees one
#: Qt still draws with). As many as the icons drawn in each theme, and their rare copies.
_ENGINES: list[QIconEngine] = []


@cache
def _svg_icon_class() -> Callable[[str, str], QIconEngine]:
    """The icon engine's class (its SVG for the normal and the disabled look), made with the first
    icon (see the note at the imports)."""
    from PySide6.QtCore import QByteArray, QRect, QSize
    from PySide6.QtGui import QIcon, QIconEngine, QPainter, QPixmap
    from PySide6.QtSvg import QSvgRenderer

    class _SvgIcon(QIconEngine):
        """An icon's SVG in the theme's colours, drawn at the size asked for when first asked (a QIcon
        filled with six sizes in two colours up front took 12 renders an icon, ~2 ms, at start-up)."""

        def __init__(self, normal: str, disabled: str) -> None:
            super().__init__()
            self._svgs = {False: normal, True: disabled}
            self._renderers: dict[bool, QSvgRenderer] = {}
            self._drawn: dict[tuple[int, bool], QPixmap] = {}
            _ENGINES.append(self)

        def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
            """Square (the icons are), as large as fits in `size`."""
            disabled = mode == QIcon.Mode.Disabled
            side = min(size.width(), size.height())
            drawn = self._drawn.get((side, disabled))
            if drawn is None:
                if side <= 0:
                    return QPixmap()
                renderer = self._renderers.get(disabled)
                if renderer is None:
                    svg = QByteArray(self._svgs[disabled].encode("utf-8"))
                    renderer = self._renderers[disabled] = QSvgRenderer(svg)
                drawn = self._drawn[side, disabled] = _svg_pixmap(renderer, side)
            return drawn

        def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
            side = min(size.width(), size.height())
            return QSize(side, side)

        def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
            device = painter.device()
            scale = device.devicePixelRatioF() if device is not None else 1.0
            pixmap = self.pixmap(QSize(round(rect.width() * scale), round(rect.height() * scale)), mode, state)
            side = min(rect.width(), rect.height())
            square = QRect(0, 0, side, side)
            square.moveCenter(rect.center())
            painter.drawPixmap(square, pixmap)

        def clone(self) -> QIconEngine:
            return _SvgIcon(self._svgs[False], self._svgs[True])

    return _SvgIcon


@cache
def _icon(name: str, theme_name: str, role: str) -> QIcon:
    theme = THEMES[theme_name]
    svg = read_text("icons", f"{name}.svg")
    normal, disabled = (svg.replace("currentColor", QColor(theme.colors[c]).name()) for c in (role, "icon_disabled"))
    from PySide6.QtGui import QIcon

    return QIcon(_svg_icon_class()(normal, disabled))


def icon(name: str, role: str = "icon") -> QIcon:
    """The icon resources/icons/<name>.svg drawn in the current theme's `role` colour."""
    return _icon(name, _state.theme.name, role)


def bind_icon(target: QAction | QAbstractButton, name: str, role: str = "icon") -> None:
    """Give an action or a button the icon `name`, redrawn when the theme changes."""
    bind(target, lambda: target.setIcon(icon(name, role)), "icon")
