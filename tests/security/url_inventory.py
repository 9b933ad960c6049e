"""Every URL pattern of the project, read from the resolver (includes followed to the end)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    namespace: str  # "" outside any namespace
    name: str | None  # None for the admin's unnamed patterns
    route: str  # the full pattern text, prefixes included
    view_module: str

    @property
    def key(self) -> str:
        """How a matrix names the pattern: ``namespace:name``, or the route when unnamed."""
        if self.name is None:
            return f"{self.namespace}:<{self.route}>"
        return f"{self.namespace}:{self.name}" if self.namespace else self.name


def project_routes() -> list[Route]:
    routes: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = namespace
                if entry.namespace:
                    inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                callback = entry.callback
                module = getattr(callback, "__module__", "") or ""
                routes.append(Route(namespace, entry.name, prefix + str(entry.pattern), module))

    walk(get_resolver(), "", "")
    return routes
