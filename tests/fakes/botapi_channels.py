"""Channels, their discussion groups and photos sent by URL, as the fake Bot API sees them.

A channel with a linked discussion group gets, for every post the bot makes there, the
group's automatic copy (`is_automatic_forward`, sent by Telegram's service account), which
the bot receives as a group message; readers comment by replying to that copy.
"""

from __future__ import annotations

from typing import Any

from tests.fakes.botapi_models import ApiError, FakeChat, SentFile, SentMessage, bad_request
from tests.fakes.botapi_userside import UserSide

JPEG = b"\xff\xd8\xff\xe0fake-jpeg-image"
# Telegram's service account that posts the automatic copies in discussion groups.
SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
_IMAGE_MAGIC = (b"\xff\xd8", b"\x89PNG", b"GIF8", b"RIFF")
_POSTING_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})


class ChannelSide(UserSide):
    """Channels, discussion groups and the web the fake "fetches" photos from."""

    def __init__(self, token: str, **kwargs: Any) -> None:
        super().__init__(token, **kwargs)
        self.web_files: dict[str, bytes] = {}  # URL -> what Telegram would download there
        # (channel id, channel message id) -> message id of the copy in the discussion group
        self.discussion_copies: dict[tuple[int, int], int] = {}

    def add_channel(
        self,
        chat_id: int,
        title: str,
        username: str | None = None,
        *,
        bot_status: str = "administrator",
        can_post: bool = True,
        discussion_id: int | None = None,
        can_delete_comments: bool = True,
    ) -> FakeChat:
        """Create a channel (the bot's membership as given), optionally with a discussion
        group, a supergroup the bot is a member of (an admin that may delete messages when
        `can_delete_comments`)."""
        chat = FakeChat(
            chat_id,
            "channel",
            title=title,
            username=username,
            bot_status=bot_status,
            bot_can_post=can_post,
        )
        self.chats[chat_id] = chat
        if discussion_id is not None:
            group = self.add_group(discussion_id, f"{title} chat", "supergroup")
            group.linked_chat_id, chat.linked_chat_id = chat_id, discussion_id
            group.bot_can_delete = can_delete_comments
        return chat

    def add_web_image(self, url: str, data: bytes = JPEG) -> None:
        """Serve `data` at `url` for sendPhoto by URL (any other URL cannot be fetched)."""
        self.web_files[url] = data

    def resolve_chat(self, raw: str) -> int:
        """A chat id from "@username", as Telegram resolves public chats."""
        wanted = raw.removeprefix("@").lower()
        for chat in self.chats.values():
            if chat.username and chat.username.lower() == wanted:
                return chat.id
        raise bad_request("chat not found")

    def fetch_web_photo(self, url: str) -> SentFile:
        """What Telegram does with a photo given as an HTTP URL."""
        data = self.web_files.get(url)
        if data is None:
            raise bad_request("failed to get HTTP URL content")
        if not data.startswith(_IMAGE_MAGIC):
            raise bad_request("wrong type of the web page content")
        return SentFile(url.rsplit("/", 1)[-1] or "photo.jpg", data, "image/jpeg")

    def check_can_post(self, chat: FakeChat, method: str) -> None:
        """Refuse posts in a channel the bot is not an admin of, as Telegram does."""
        if chat.type != "channel" or method not in _POSTING_METHODS:
            return
        if chat.bot_status not in ("administrator", "creator"):
            if chat.bot_status in ("left", "kicked"):
                raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
            raise bad_request("need administrator rights in the channel chat")
        if not chat.bot_can_post:
            raise bad_request("need administrator rights in the channel chat")

    def bot_member(self, chat: FakeChat) -> dict[str, Any]:
        """getChatMember for the bot itself."""
        if chat.type != "channel":
            return {"status": "member", "user": self.bot_user.to_dict()}
        member: dict[str, Any] = {"status": chat.bot_status, "user": self.bot_user.to_dict()}
        if chat.bot_status == "kicked":
            member["until_date"] = 0
        if chat.bot_status == "administrator":
            rights = dict.fromkeys(_ADMIN_RIGHTS, False)
            member |= {"can_be_edited": False, "is_anonymous": False, **rights}
            member |= {
                "can_post_messages": chat.bot_can_post,
                "can_edit_messages": chat.bot_can_post,
                "can_delete_messages": chat.bot_can_post,
            }
        return member

    def copy_to_discussion(self, msg: SentMessage) -> None:
        """Telegram's automatic copy of a new channel post in the linked discussion group."""
        channel = self.chats[msg.chat_id]
        if channel.type != "channel" or channel.linked_chat_id is None:
            return
        group = self.chats[channel.linked_chat_id]
        content: dict[str, Any] = {
            "is_automatic_forward": True,
            "sender_chat": channel.to_dict(),
            "forward_origin": {
                "type": "channel",
                "chat": channel.to_dict(),
                "message_id": msg.message_id,
                "date": int(msg.date.timestamp()),
            },
        }
        key = "caption" if msg.file_id else "text"
        if msg.text:
            content[key] = msg.text
        copy = self._user_message(group, SERVICE_USER, content)
        self.discussion_copies[(channel.id, msg.message_id)] = copy["message_id"]

    async def _api_getchat(self, params: dict[str, Any], files: Any) -> Any:
        raw = params.get("chat_id")
        chat_id = self.resolve_chat(raw) if isinstance(raw, str) and raw.startswith("@") else None
        chat = self.chats.get(chat_id if chat_id is not None else int(raw or 0))
        if chat is None or (chat.type == "channel" and chat.bot_status in ("left", "kicked")):
            raise bad_request("chat not found")
        info: dict[str, Any] = {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.linked_chat_id is not None:
            info["linked_chat_id"] = chat.linked_chat_id
        return info


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
