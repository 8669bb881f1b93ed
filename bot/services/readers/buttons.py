"""Reader buttons under every article message: related reading, Comment and Comments."""

from __future__ import annotations

from bot.i18n import N_, _
from bot.services.messaging.callback_data import ListComments, OpenArticle, WriteComment
from bot.services.messaging.notifier import Button, Keyboard
from bot.services.readers.related import SHOWN, RelatedService
from bot.services.text.formatting import button_title
from storage.models import Article

COMMENTS_LABEL = N_("🗨 Comments")


def share_query(article_id: int) -> str:
    """The inline query a Share button opens: exactly this article."""
    return f"#{article_id}"


class ReaderKeyboards:
    """KeyboardProvider: "You may also like" buttons, then Comment, Comments and Share.

    The Comments button carries no count: the same keyboard goes out on every reader's copy
    of a broadcast, and a number there would be stale after the next comment (keeping it
    right would mean editing every copy per comment, spending the broadcast budget). The
    list it opens counts the visible comments when it is shown."""

    def __init__(self, related: RelatedService) -> None:
        self.related = related

    async def article_keyboard(self, article: Article) -> Keyboard:
        """Up to three related articles (one a row), then the comment buttons."""
        rows: list[tuple[Button, ...]] = [
            (Button(f"📰 {button_title(r.title, 48)}", OpenArticle(r.id).pack()),)
            for r in await self.related.related(article.id, SHOWN)
        ]
        rows.append(
            (
                Button(_("💬 Comment"), WriteComment(article.id).pack()),
                Button(_(COMMENTS_LABEL), ListComments(article.id).pack()),
                # Opens "@bot #<id>" in a chat the reader picks: the inline result is this
                # article with a Subscribe link (see handlers/search.py).
                Button(_("↗ Share"), switch_inline_query=share_query(article.id)),
            )
        )
        return tuple(rows)
