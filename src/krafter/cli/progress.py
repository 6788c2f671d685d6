"""Progress for long CLI work: each step as a line, and a live spinner with elapsed time.

The platform reports steps as plain messages (`Progress = Callable[[str], None]`); this turns
them into a display: on a terminal a transient spinner shows the current step and how long it
has run (a cold Kafka fetch or a slow node start is visibly alive); in logs and pipes only the
step lines appear, since rich draws no live display there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class StepProgress:
    def __init__(self, console: Console) -> None:
        self.console = console
        self.display = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        )
        self.task: TaskID | None = None

    def __call__(self, message: str) -> None:
        self.console.print(f"[dim]•[/dim] {message}")
        if self.task is not None:
            self.display.remove_task(self.task)
        self.task = self.display.add_task(message, total=None)

    def update(self, status: str) -> None:
        """Replace the live line (counters that change every moment); terminals only, since a
        log would fill with them. No step yet: the status becomes one."""
        if self.task is None:
            self.task = self.display.add_task(status, total=None)
        else:
            self.display.update(self.task, description=status)

    def start(self) -> None:
        if self.console.is_terminal:
            self.display.start()

    def stop(self) -> None:
        if self.console.is_terminal:
            self.display.stop()


@contextmanager
def steps(console: Console) -> Iterator[StepProgress]:
    progress = StepProgress(console)
    progress.start()
    try:
        yield progress
    finally:
        progress.stop()
