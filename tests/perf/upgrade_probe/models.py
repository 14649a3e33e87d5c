from django.db import models


class ProbeNote(models.Model):
    """One table, an index and a sequence: what a small release adds."""

    title = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.title
