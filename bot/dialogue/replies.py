"""The fixed things the bot says, kind and short, in one place."""

from __future__ import annotations

WHERE_TO_ASK = "可以打12345政务服务热线，或者问所在区县的民政局。"

GREETING = "您好！我是银龄助手，可以帮您查高龄津贴、护理补贴、老年大学、养老服务站、助餐点这些政策。请问您想问什么？"
GOODBYE = "好的，祝您身体健康，再见！有事随时来问我。"
THANKS = "不客气！还有什么想问的，随时告诉我。"
AFFIRM = "好的。请问您还想了解什么？"
DENY = "好的，那您想问什么，直接告诉我就行。"
HANDOFF = "好的，正在为您转人工服务。也可以直接打12345政务服务热线，或者找所在区县的民政局。"
NOTHING_TO_REPEAT = "我们还没开始聊呢。请问您想问什么？"
NOTHING_MORE = "关于这个问题，规划里能找到的我都说完了。" + WHERE_TO_ASK
EMPTY_INPUT = "我没有收到文字。请说说或写下您想问的问题，比如“高龄津贴怎么领”。"
NOT_CHINESE = "不好意思，我只会用中文回答养老政策方面的问题。请用中文问，比如“附近有没有老年食堂”。"
UNREADABLE = "这条消息我看不懂。请用文字写下您的问题，比如“老年大学怎么报名”。"


def clarify_region(region_names: list[str]) -> str:
    return f"请问您在哪个区县？我这里有这些地方的规划：{'、'.join(region_names)}。"


def region_remembered(short_name: str) -> str:
    return f"好的，记住了，您在{short_name}。请问您想问什么？"


def fallback(region_short: str | None = None) -> str:
    place = f"{region_short}的" if region_short else ""
    return f"这个问题{place}养老规划里没有写到，我不能乱说。{WHERE_TO_ASK}需要的话也可以说“转人工”。"


def no_detail(what: str, region_short: str | None = None) -> str:
    """The plans name the thing but not the detail asked (an amount, opening hours, a phone number)."""
    place = f"{region_short}的" if region_short else ""
    return f"{place}规划里没有写{what}，我不能乱说。{WHERE_TO_ASK}"


def partial(missing: list[str], region_short: str | None, said: str) -> str:
    """A detail the plans do not give: say so first and where to ask, then briefly what they do say (cited)."""
    place = f"{region_short}的" if region_short else ""
    return f"{place}规划里没有写{'、'.join(missing)}，我不能乱说。{WHERE_TO_ASK}\n规划里相关的说法是：{said}"


def only_plans_of(region_names: list[str], place: str) -> str:
    """A place outside the covered regions: say which plans there are, and where to ask instead."""
    return (f"我这里只有{'、'.join(region_names)}的养老规划，没有{place}的。"
            f"{place}的政策，可以打12345政务服务热线，或者问当地的民政局。")


def city_means(city: str, region_short: str) -> str:
    """A city holding one covered region: say which plan the answer comes from."""
    return f"{city}这边，我这里有{region_short}的规划："
