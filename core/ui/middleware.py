"""Language selection: Russian unless the person chose otherwise.

Django's LocaleMiddleware follows the browser's Accept-Language; this portal serves Russian
partnerships whose members often run English-language browsers, so the default is Russian and
only an explicit choice (the language switch's cookie) changes it.
"""

from __future__ import annotations

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LanguageMiddleware(LocaleMiddleware):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
