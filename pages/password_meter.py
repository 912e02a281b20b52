"""A live password strength meter with zxcvbn's feedback (sign-up and the account page)."""

from __future__ import annotations

from collections.abc import Callable

from nicegui import run, ui

from repo.core.account_rules import MIN_PASSWORD, MIN_STRENGTH, password_strength

LABELS = ('Very weak', 'Weak', 'Fair', 'Good', 'Strong')
COLORS = ('negative', 'negative', 'warning', 'positive', 'positive')


class StrengthMeter:
    def __init__(self, field: ui.input, user_inputs: Callable[[], list[str]]) -> None:
        self.field = field
        self.user_inputs = user_inputs
        with ui.column().classes('w-full gap-1 -mt-1').mark('strength'):
            self.bar = ui.linear_progress(value=0, show_value=False).props('rounded size=6px')
            self.label = ui.label('').classes('text-sm').props('aria-live=polite')
        self.bar.visible = False
        field.on_value_change(self.update)

    async def update(self) -> None:
        password = self.field.value or ''
        if not password:
            self.bar.visible = False
            self.label.text = ''
            return
        result = await run.io_bound(password_strength, password, self.user_inputs())
        if result is None or (self.field.value or '') != password:
            return  # shutting down, or the user typed on meanwhile
        score, hint = result
        self.bar.visible = True
        self.bar.value = (score + 1) / 5
        self.bar.props['color'] = COLORS[score]
        verdict = LABELS[score]
        if len(password) < MIN_PASSWORD:
            verdict = f'Too short ({len(password)} of at least {MIN_PASSWORD} characters)'
        elif score < MIN_STRENGTH:
            verdict += ': too easy to guess'
        self.label.text = f'{verdict}. {hint}'.strip() if hint else verdict
