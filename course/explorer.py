"""Explorers: controls over a picture that is drawn again after every change.

Every explorer of the course is an :class:`Explorer`: a box of ipywidgets
controls (sliders, dropdowns, text boxes) above a picture. ``draw`` gets the
controls' values as keyword arguments and returns a matplotlib Figure; the
explorer turns it into a PNG (:func:`course.plots.png`) and shows it in its own
image widget, when the explorer is made and after every change of a control.
It needs no ``interact`` magic and no pyplot, so the picture shows in JupyterLab
as well as in a headless test (which reads :attr:`Explorer.result`).

``draw`` may instead return a short message (a ``str``), for values it cannot
draw, such as a shape typed wrong; the message then takes the picture's place.

The box carries the CSS class ``course-explorer`` and its picture
``course-explorer-picture``, so a browser test can find them.
"""

import html

import ipywidgets as widgets
from ipywidgets.widgets.widget_description import DescriptionWidget
from matplotlib.figure import Figure

from .plots import png
from .runtime.validate import function, received

CSS_CLASS = "course-explorer"
PICTURE_CSS_CLASS = "course-explorer-picture"
MESSAGE_CSS_CLASS = "course-explorer-message"


class Explorer(widgets.VBox):
    """``controls`` (name=ipywidgets control) above the picture ``draw(**values)`` returns.

    A control without a description is labelled with its name (``_`` read as a space). Sliders and text
    boxes redraw when released or when Enter is pressed, not on every pixel of a drag.
    :attr:`controls` holds the controls by name, :attr:`result` the latest Figure
    (or message), :attr:`picture` the image widget and :attr:`message` the text under it.
    """

    def __init__(self, draw, **controls):
        draw = function(draw, "draw")
        for name, control in controls.items():
            if not isinstance(control, widgets.ValueWidget) or not isinstance(control, DescriptionWidget):
                raise TypeError(
                    f"the control {name!r} must be an ipywidgets control such as a slider, got {received(control)}"
                )
        # natural size (not stretched to the box), shrunk to fit a narrow page
        picture = widgets.Image(
            format="png", layout=widgets.Layout(align_self="flex-start", max_width="100%", height="auto")
        )
        message = widgets.HTML()
        super().__init__([*controls.values(), picture, message])
        self.add_class(CSS_CLASS)
        picture.add_class(PICTURE_CSS_CLASS)
        message.add_class(MESSAGE_CSS_CLASS)
        self.draw, self.controls, self.picture, self.message = draw, dict(controls), picture, message
        self.result = None
        for name, control in self.controls.items():
            if not control.description:
                control.description = name.replace("_", " ")
        labels = [len(control.description) for control in self.controls.values()]
        for control in self.controls.values():
            if hasattr(control.style, "description_width"):  # whole labels, aligned
                control.style.description_width = f"{0.6 * max(labels) + 1:.1f}em"
            if hasattr(control, "continuous_update"):
                control.continuous_update = False
            control.observe(self._changed, names="value")
        self.update()

    def values(self):
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self):
        """Call ``draw`` with the current values and show what it returns; returns it too."""
        result = self.draw(**self.values())
        if isinstance(result, Figure):
            self.picture.value = png(result)
            if result.canvas.manager is not None:  # made with pyplot: close it, or the cell shows it again
                import matplotlib.pyplot as plt

                plt.close(result)
            self.picture.layout.display = None
            self.message.value = ""
        elif isinstance(result, str):
            self._show_message(result)
        else:
            raise TypeError(
                f"draw must return a matplotlib Figure or a message (str), got {received(result)}"
            )
        self.result = result
        return result

    def _changed(self, change):
        # Called by ipywidgets, where an exception would only reach the log: say it under the controls.
        try:
            self.update()
        except Exception as error:  # noqa: BLE001 - shown to the learner instead of lost
            self.result = f"could not draw: {type(error).__name__}: {error}"
            self._show_message(self.result)

    def _show_message(self, text):
        """``text`` in place of the picture."""
        self.picture.layout.display = "none"
        self.message.value = f'<span style="color:#b3261e">{html.escape(text)}</span>'
