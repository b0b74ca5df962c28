"""What the WeChat channel itself says: short, kind sentences for seniors (the core writes the answers).

The same tone as the Telegram channel; WeChat has a menu at the bottom of the chat instead of buttons under
each message, and no commands.
"""

from __future__ import annotations

WHERE_TO_ASK = "也可以问所在区县的民政局，或者打12345政务服务热线。"

WELCOME = ("您好！我是银龄助手，欢迎关注。我照着各区县的养老规划回答问题：补贴怎么领、老年大学怎么报名、"
           "附近的养老服务站和助餐点。\n"
           "• 直接打字问，比如“万州高龄津贴怎么领”，也可以按住说话。\n"
           "• 点下面的菜单按钮，问常见的问题。\n"
           "• 发一个位置给我，我帮您找最近的服务站和助餐点。\n"
           "• 需要真人帮忙，点“转人工”。")
VOICE_NOT_UNDERSTOOD = "不好意思，这条语音我现在还听不懂。请打字问我，或者点下面的菜单按钮。"
VOICE_UNCLEAR = "这条语音我没听清楚。请再说一遍，或者打字问我。"
NOT_TEXT = "谢谢您发来的消息！这类消息我看不懂。请打字问我，或者点下面的菜单按钮。"
STICKER = "谢谢您的表情！有什么想问的，请打字告诉我，或者点下面的菜单按钮。"
LINK = "谢谢您分享的链接！链接里的内容我打不开。想问什么，请打字告诉我，或者点下面的菜单按钮。"
NEAREST_HEADER = "离您最近的地方："
NEAREST_NOTE = "距离是直线距离，去之前最好先打电话问一下。" + WHERE_TO_ASK
LOCATION_NO_FACILITY = ("收到您的位置了。我这里的设施名单没有经纬度，只凭位置找不到附近的地方。"
                        "请告诉我您在哪个区县，比如“{example}的养老服务站在哪”。")
LOCATION_BAD = "这个位置我没看明白。请再发一次，或者告诉我您在哪个区县。"
STALE_BUTTON = "这个按钮已经过期了，请直接打字问我。"
ERROR = "不好意思，刚才出了点问题，请再问一次。着急的话可以打12345政务服务热线。"
EMPTY = "您好像还没写问题。请打字问我，或者点下面的菜单按钮。"
TRIMMED = "……（内容较长，回复“还有呢”看后面的）"
CITATION = "来源：{citation}"

# Menu (mp.weixin.qq.com shows at most 3 buttons; a top button holds at most 5 sub-buttons).
MENU_SERVICES = "找服务"
MENU_NEARBY = "附近的服务"
MENU_HANDOFF = "转人工"
HANDOFF_TEXT = "转人工"  # what 转人工 sends the core, as if typed: it hands over like every channel
