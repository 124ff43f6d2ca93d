"""The frame's title: the run's label, the step, the loss and the learning rate."""

from __future__ import annotations

from nnreel.pictures.scene import Panel, Scene
from nnreel.pictures.style import DPI, pt


class TitlePanel(Panel):
    """A title over the whole width, so that it fits even the smallest frames; `label`
    names the run in a comparison."""

    def __init__(self, scene: Scene, label: str) -> None:
        super().__init__(scene)
        self.label = f"{label}   " if label else ""
        self.terse = False  # the short form, for narrow frames
        size = pt(14, scene.s)
        self._fit(int(scene.size[0] / (0.602 * size * DPI / 72)) - 2)
        title = scene.fig.suptitle(self.line(0), fontsize=size, family="monospace")
        self.text = scene.typed.add(title)

    def _fit(self, room: int) -> None:
        """Make the title fit `room` characters at every step: first in its terse form, then
        with the end of the label cut. Every field has a fixed width, so it never jumps."""
        run = self.scene.run
        self.step_width = len(str(run.config.train.steps))
        self.loss_width = max(len(f"{s.loss:.6g}") for s in run.steps)
        if len(self.line(0)) > room:
            self.terse = True
        excess = len(self.line(0)) - room
        if excess > 0 and self.label:
            name = self.label.rstrip()
            self.label = f"{name[: max(0, len(name) - excess - 1)]}…  "

    def line(self, k: int) -> str:
        """The title at step k: the label, the step, the loss and the learning rate."""
        run, loss_name = self.scene.run, self.scene.loss_name
        train = run.config.train
        step = f"{k:>{self.step_width}}"
        stopped = f" (stopped at {self.scene.last})" if run.diverged else ""
        loss = f"{run.steps[k].loss:<{self.loss_width}.6g}"
        rate = f"{train.lr:g}" + ("" if train.optimizer == "gd" else f" ({train.optimizer})")
        if self.terse:
            terse = [f"step {step}/{train.steps}{stopped}", f"{loss_name} {loss}", f"lr {rate}"]
            return self.label + "  ".join(terse)
        where = f"step {step} of {train.steps}{stopped}"
        return self.label + "   ".join([where, f"{loss_name} = {loss}", f"lr = {rate}"])

    def update(self, k: int) -> None:
        self.text.set_text(self.line(k))
