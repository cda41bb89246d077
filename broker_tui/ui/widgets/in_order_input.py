"""An Input that handles every key in the order it was typed, its own bound keys included.

Textual's Input inserts a printable key as it reads it, but runs its bound keys (backspace, delete, arrows,
home, end, enter) only when the key has bubbled up to the app, behind any keys the app has already routed to
the Input. Typed without pauses, "ab", backspace, "c" gave "abc" (the backspace took the c back), and left,
end or home moved the cursor after the letters that followed them. This Input runs its own bindings as it
reads the key, so each key acts where and when it was typed.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class InOrderInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        await super()._on_key(event)
        if event.is_printable:
            return
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
