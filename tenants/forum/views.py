"""The forum's pages. Thin: the services decide and refuse (``core.ui.refusals``), the
selectors scope what a reader sees (a topic or post they may not see is a 404)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from core import extensions
from core.access.decorators import role_required
from core.sensitive import sensitive_post
from core.ui.refusals import act, submit
from core.uploads import upload_too_large
from tenants.files.purposes import MB
from tenants.forum import access, forms, markup, selectors, services
from tenants.forum.models import Post, Section

#: The most one post's files may weigh together (each is limited by ``purposes.ATTACHMENT``).
UPLOAD_LIMIT = 20 * MB

readers_only = role_required(*access.READERS)
moderators_only = role_required(*access.MODERATORS)


def _status(form) -> int:
    return 400 if form.is_bound and form.errors else 200


def _topic_url(topic) -> str:
    return reverse("forum:topic", kwargs={"pk": topic.pk})


def _post_url(post) -> str:
    url = _topic_url(post.topic)
    page = selectors.page_of(post)
    return f"{url}?page={page}#post-{post.number}" if page > 1 else f"{url}#post-{post.number}"


def _too_large(form_class, request, template, context):
    form = form_class({}, {})
    form.full_clean()
    form.add_error(
        None,
        _("The files are too large: at most %(size)d MB together.") % {"size": UPLOAD_LIMIT // MB},
    )
    return render(request, template, {**context, "form": form}, status=413)


def _picked(form) -> list:
    """The members picked in the mention picker, as (id, name) to show them again."""
    ids = form.data.getlist("mentions") if form.is_bound else []
    if not ids:
        return []
    people = selectors.forum_readers().filter(pk__in=[i for i in ids if _is_uuid(i)])
    return [(str(p.pk), p.full_name) for p in people]


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# -- reading -------------------------------------------------------------------------------------


@readers_only
@require_GET
def index(request):
    sections = list(selectors.sections_visible_to(request.user))
    return render(
        request,
        "forum/index.html",
        {"sections": sections, "moderator": access.moderates(request.user)},
    )


@readers_only
@require_GET
def section(request, pk):
    current = selectors.section_for(request.user, pk)
    page = Paginator(
        selectors.topics_in(request.user, current), selectors.TOPICS_PER_PAGE
    ).get_page(request.GET.get("page"))
    followed = selectors.followed_topic_ids(request.user, [t.pk for t in page.object_list])
    return render(
        request,
        "forum/section.html",
        {
            "section": current,
            "page": page,
            "followed": followed,
            "moderator": access.moderates(request.user),
        },
    )


class _Links:
    """The per-post links of a page, made from one ``reverse`` each (a page of posts would
    otherwise reverse five URLs a post)."""

    def __init__(self, topic):
        marker = "00000000-0000-0000-0000-000000000000"
        self.reply = reverse("forum:reply", kwargs={"pk": topic.pk})
        self.bases = {
            name: reverse(f"forum:{name}", kwargs={"pk": marker}).split(marker)
            for name in ("post", "edit", "history", "moderate-post")
        }
        self.file = reverse("files:download", kwargs={"pk": marker}).split(marker)

    def of(self, name, pk) -> str:
        before, after = self.bases[name]
        return f"{before}{pk}{after}"

    def file_of(self, pk) -> str:
        return f"{self.file[0]}{pk}{self.file[1]}"


def _decorate(user, posts, topic) -> None:
    """What each post shows this reader (text or a notice, a quote or its notice, names and
    links), worked out once here rather than in the template."""
    links = _Links(topic)
    for post in posts:
        post.shows_text = selectors.sees_text(user, post)
        post.own = post.author_id == user.pk
        post.author_name = "" if post.is_erased else selectors.display_name(post.author)
        post.quote_url = f"{links.reply}?quote={post.pk}"
        post.edit_url = links.of("edit", post.pk)
        post.history_url = links.of("history", post.pk)
        post.moderate_url = links.of("moderate-post", post.pk)
        quote = post.quote
        post.quote_text = quote is not None and selectors.sees_text(user, quote)
        if post.quote_text:
            post.quote_author = selectors.display_name(quote.author)
            post.quote_link = links.of("post", quote.pk)
        post.mention_names = [selectors.display_name(m.user) for m in post.mention_list]
        post.files = [(links.file_of(a.file_id), a.file.name) for a in post.attachment_list]


@readers_only
@require_GET
def topic(request, pk):
    current = selectors.topic_for(request.user, pk)
    paginator = Paginator(selectors.posts_of(current), selectors.POSTS_PER_PAGE)
    number = request.GET.get("page")
    page = paginator.get_page(paginator.num_pages if number == "last" else number)
    posts = list(page.object_list)
    _decorate(request.user, posts, current)
    target, obj = selectors.target_of(current)
    return render(
        request,
        "forum/topic.html",
        {
            "topic": current,
            "page": page,
            "posts": posts,
            "form": forms.PostForm(),
            "following": selectors.is_subscribed(request.user, current),
            "moderator": access.moderates(request.user),
            "target": target,
            "target_object": obj,
            "target_url": target.url(obj) if target and obj is not None else "",
        },
    )


@readers_only
@require_GET
def post(request, pk):
    """A post's own address (notifications link here): its place in its topic."""
    found = selectors.post_for(request.user, pk)
    return redirect(_post_url(found))


@readers_only
@require_GET
def history(request, pk):
    found = selectors.post_for(request.user, pk)
    if not selectors.sees_text(request.user, found):
        raise Http404
    versions = list(selectors.versions_of(found))
    for version in versions:
        version.rendered = markup.render(version.body)
    return render(
        request,
        "forum/history.html",
        {"post": found, "topic": found.topic, "versions": versions},
    )


@readers_only
@require_GET
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    page = None
    if query:
        page = Paginator(
            selectors.search_posts(request.user, query), selectors.RESULTS_PER_PAGE
        ).get_page(request.GET.get("page"))
        for found in page.object_list:
            found.snippet = markup.excerpt(found.html or "")
            found.url = _post_url(found)
    context = {"query": query, "page": page, "query_prefix": urlencode({"q": query})}
    return render(request, "forum/search.html", context)


@readers_only
@require_GET
def members(request):
    """The mention picker's list (htmx): readers whose name contains ``who``."""
    who = request.GET.get("who", "")[:100]
    people = selectors.mention_candidates(request.user, who) if who.strip() else []
    return render(request, "forum/_members.html", {"people": people, "who": who})


# -- writing -------------------------------------------------------------------------------------


@csrf_exempt  # checked by ``_write`` once the upload limit is in place
@sensitive_post
@readers_only
def new_topic(request, pk):
    current = selectors.section_for(request.user, pk)
    context = {"section": current}
    if request.method != "POST":
        return render(request, "forum/new_topic.html", {**context, "form": forms.TopicForm()})
    if upload_too_large(request, UPLOAD_LIMIT):
        return _too_large(forms.TopicForm, request, "forum/new_topic.html", context)
    return _write_topic(request, current, context)


@csrf_protect
def _write_topic(request, current, context, target=None):
    form = forms.TopicForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: services.start_topic(
            actor=request.user,
            section=current,
            title=form.cleaned_data["title"],
            body=form.cleaned_data["body"],
            mentions=form.cleaned_data["mentions"],
            attachments=form.cleaned_data["attachments"],
            target=target,
        ),
        done=_("The topic is started."),
        then=_topic_url,
    )
    if done:
        return done
    context = {**context, "form": form, "picked": _picked(form)}
    return render(request, "forum/new_topic.html", context, status=_status(form))


@csrf_exempt  # checked by ``_write_reply`` once the upload limit is in place
@sensitive_post
@readers_only
def reply(request, pk):
    current = selectors.topic_for(request.user, pk)
    context = {"topic": current}
    if request.method != "POST":
        form = forms.PostForm(initial={"quote": request.GET.get("quote") or None})
        return render(
            request, "forum/reply.html", {**context, **_quote_context(request, current, form)}
        )
    if upload_too_large(request, UPLOAD_LIMIT):
        return _too_large(forms.PostForm, request, "forum/reply.html", context)
    return _write_reply(request, current, context)


def _quote_context(request, current, form) -> dict:
    quote_id = form["quote"].value()
    quoted = None
    if quote_id and _is_uuid(quote_id):
        quoted = Post.objects.select_related("author").filter(pk=quote_id, topic=current).first()
        if quoted is not None and not selectors.sees_text(request.user, quoted):
            quoted = None
    return {"form": form, "quoted": quoted, "picked": _picked(form)}


@csrf_protect
def _write_reply(request, current, context):
    form = forms.PostForm(request.POST, request.FILES)
    done = submit(
        request,
        form,
        lambda: services.reply(
            actor=request.user,
            topic=current,
            body=form.cleaned_data["body"],
            quote=form.cleaned_data["quote"],
            mentions=form.cleaned_data["mentions"],
            attachments=form.cleaned_data["attachments"],
        ),
        done=_("Your post is published."),
        then=_post_url,
    )
    if done:
        return done
    context = {**context, **_quote_context(request, current, form)}
    return render(request, "forum/reply.html", context, status=_status(form))


@sensitive_post
@readers_only
def edit(request, pk):
    found = selectors.post_for(request.user, pk)
    if found.author_id != request.user.pk or found.is_erased:
        raise Http404
    form = forms.EditForm(request.POST or None, initial={"body": found.body})
    done = submit(
        request,
        form,
        lambda: services.edit_post(actor=request.user, post=found, body=form.cleaned_data["body"]),
        done=_("The post is changed; its earlier text is kept in its history."),
        then=_post_url,
    )
    return done or render(
        request,
        "forum/edit.html",
        {"form": form, "post": found, "topic": found.topic},
        status=_status(form),
    )


@readers_only
@require_POST
def follow(request, pk):
    current = selectors.topic_for(request.user, pk)
    on = request.POST.get("follow") == "1"
    return act(
        request,
        lambda: services.set_subscription(actor=request.user, topic=current, follow=on),
        done=_("You follow this topic: new posts come by email.")
        if on
        else _("You no longer follow this topic."),
        then=_topic_url(current),
    )


# -- the board -----------------------------------------------------------------------------------


@sensitive_post
@moderators_only
def moderate_post(request, pk):
    found = selectors.post_for(request.user, pk)
    if found.is_erased:
        raise Http404
    form = forms.ModeratePostForm(
        request.POST or None, initial={"action": "show" if found.is_hidden else "hide"}
    )

    def action():
        if form.cleaned_data["action"] == "hide":
            return services.hide_post(
                actor=request.user, post=found, reason=form.cleaned_data["reason"]
            )
        return services.show_post(actor=request.user, post=found)

    done = submit(request, form, action, done=_("Done."), then=_post_url)
    found.shows_text = True
    return done or render(
        request,
        "forum/moderate_post.html",
        {"form": form, "post": found, "topic": found.topic},
        status=_status(form),
    )


@sensitive_post
@moderators_only
def moderate_topic(request, pk):
    current = selectors.topic_for(request.user, pk)
    form = forms.ModerateTopicForm(request.POST or None)

    def action():
        data = form.cleaned_data
        kind, actor = data["action"], request.user
        if kind == "lock":
            return services.lock_topic(actor=actor, topic=current, reason=data["reason"])
        if kind == "unlock":
            return services.unlock_topic(actor=actor, topic=current)
        if kind == "hide":
            return services.hide_topic(actor=actor, topic=current, reason=data["reason"])
        if kind == "show":
            return services.show_topic(actor=actor, topic=current)
        return services.move_topic(
            actor=actor, topic=current, section=data["section"], reason=data["reason"]
        )

    done = submit(request, form, action, done=_("Done."), then=_topic_url)
    return done or render(
        request,
        "forum/moderate_topic.html",
        {"form": form, "topic": current},
        status=_status(form),
    )


@moderators_only
def section_add(request):
    return _section_form(request, None)


@moderators_only
def section_edit(request, pk):
    return _section_form(request, selectors.section_for(request.user, pk))


def _section_form(request, current: Section | None):
    initial = (
        {"title": current.title, "description": current.description, "position": current.position}
        if current
        else {}
    )
    form = forms.SectionForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda: services.save_section(
            actor=request.user,
            section=current,
            title=form.cleaned_data["title"],
            description=form.cleaned_data["description"],
            position=form.cleaned_data["position"],
        ),
        done=_("The section is saved."),
        then=lambda saved: reverse("forum:section", kwargs={"pk": saved.pk}),
    )
    return done or render(
        request,
        "forum/section_form.html",
        {"form": form, "section": current},
        status=_status(form),
    )


# -- discussions of other apps' objects ----------------------------------------------------------


def _target_for(request, kind, object_id):
    target = extensions.discussion_target(kind)
    if target is None or not target.visible_to(request.user.roles):
        raise Http404
    obj = target.resolve(object_id)
    if obj is None or not target.can_read(request.user, obj):
        raise Http404
    return target, obj


@csrf_exempt  # checked by ``_write_topic`` once the upload limit is in place
@sensitive_post
@readers_only
def discuss(request, kind, object_id):
    """The thread of another app's object: opened if it exists, else started here."""
    target, obj = _target_for(request, kind, object_id)
    existing = selectors.topic_for_target(kind, object_id)
    if existing is not None:
        if request.method == "POST":
            raise PermissionDenied
        return redirect(_topic_url(existing))
    sections = list(selectors.sections_visible_to(request.user))
    if not sections:
        raise Http404
    posted = request.method == "POST"
    within_limit = not upload_too_large(request, UPLOAD_LIMIT) if posted else True
    chosen = next((s for s in sections if str(s.pk) == request.POST.get("section")), sections[0])
    context = {
        "section": chosen,
        "sections": sections,
        "target": target,
        "target_object": obj,
        "target_url": target.url(obj),
    }
    if not posted:
        form = forms.TopicForm(initial={"title": target.title(obj)})
        return render(request, "forum/new_topic.html", {**context, "form": form})
    if not within_limit:
        return _too_large(forms.TopicForm, request, "forum/new_topic.html", context)
    return _write_topic(request, chosen, context, target=(kind, str(object_id)))
