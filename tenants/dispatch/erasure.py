"""What the dispatch desk clears when a former holder is erased (152-ФЗ), in the erasure's
transaction (``core.extensions.run_erasure_hooks``).

Their requests' text (description, where exactly, access time, phone, the dispatcher's wording
of their job, their rating's comment) and the comments under their holding's key are cleared,
and their photos go (the rows here; the files themselves with the file store's own hook). The
request's number, status, category, urgency, place, building, dates, supplier, cost and rating
stay: the association's record of work done, with nothing personal in it.
"""

from __future__ import annotations

from core.extensions import HolderErasure

TEXT_FIELDS = (
    "description",
    "location_note",
    "access_time",
    "contact_phone",
    "work_description",
    "rating_comment",
)


def erase_holder_texts(erasure: HolderErasure) -> dict[str, int]:
    from tenants.dispatch.models import Comment, Photo, Request

    requests = Request.objects.filter(holding_id=erasure.holding_id)
    cleared = requests.update(share_phone=False, **dict.fromkeys(TEXT_FIELDS))
    comments = Comment.objects.filter(holding_id=erasure.holding_id).update(text=None)
    photos, _by_model = Photo.objects.filter(request__holding_id=erasure.holding_id).delete()
    return {
        "dispatch_requests_cleared": cleared,
        "dispatch_comments_cleared": comments,
        "dispatch_photos_removed": photos,
    }
