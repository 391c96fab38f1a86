"""Re-sync fragments are never kept by the browser as the page.

Live pages re-fetch their live region from their own URL with `HX-Request: true` (htmx, or
live.js), and the view answers with just the fragment. Without `Vary: HX-Request` the
browser's cache holds one answer per URL, so Back could show that bare fragment as the page;
`no-store` keeps fragments out of the cache (and the back-forward cache) altogether.
"""

from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.deprecation import MiddlewareMixin


class FragmentCacheMiddleware(MiddlewareMixin):
    def process_response(self, request, response):
        # Every view may branch on the header, so every answer says it varies on it: one
        # forgotten view is the bug this prevents, and an extra Vary costs per-user pages
        # nothing.
        patch_vary_headers(response, ("HX-Request",))
        # The same test the views make (django-htmx's, so this sits below HtmxMiddleware).
        if request.htmx:
            patch_cache_control(response, no_store=True)
        return response
