"""What the Telegram channel itself says: short, kind sentences for seniors (the core writes the answers)."""

from __future__ import annotations

from bot.dialogue.seam import WHERE_TO_ASK

GREETING = ("您好！我是银龄助手。点下面的大按钮，或者直接打字问我：补贴、老年大学、养老服务站、助餐点都可以问。"
            "回答会同时发语音，不想听语音可以发 /voice off。")
HELP = ("怎么用：\n"
        "• 点下面的大按钮，或者直接打字问，比如“高龄津贴怎么领”。\n"
        "• 点“📍发送位置”，我帮您找附近的服务站和助餐点。\n"
        "• 说“还有呢”听更多，“再说一遍”重复，“慢一点”把语音放慢。\n"
        "• /region 设置或更换区县，/voice on 或 /voice off 开关语音。\n"
        "• 需要真人帮忙，点“转人工”。")
REGION_ASK = "请点一下您所在的区县："
VOICE_ON = "好的，以后回答会同时发语音。"
VOICE_OFF = "好的，以后只发文字。想听语音时发 /voice on。"
VOICE_USAGE = "语音现在是{state}的。发 /voice on 打开，/voice off 关闭。"
SLOW_DOWN = "慢慢来，不着急。我先回答前面的问题，您最后问的那一句，我过几秒一定回答。"
NOTHING_TO_SLOW = "还没有可以放慢再读的回答。请先问我一个问题。"
VOICE_NOTE_NOT_UNDERSTOOD = "不好意思，我现在还听不懂语音消息。请打字问我，或者点下面的大按钮。"
VOICE_NOTE_UNCLEAR = "这条语音我没听清楚。请再说一遍，或者打字问我。"
NOT_TEXT = "谢谢您发来的消息！这类消息我看不懂。请打字问我，或者点下面的大按钮。"
LOCATION_NO_REGION = ("收到您的位置了。我这里的设施名单没有经纬度，只凭位置我看不出您在哪个区县。"
                      "请点一下您所在的区县，我告诉您那里的规划写了哪些养老服务站和助餐点：")
NEAREST_HEADER = "离您最近的地方："
NEAREST_NOTE = "距离是直线距离，去之前最好先打电话问一下。" + WHERE_TO_ASK
STALE_BUTTON = "这个按钮已经过期了，请重新问一次，或者发 /region 选区县。"
ERROR = "不好意思，刚才出了点问题，请再问一次。着急的话可以打12345政务服务热线。"
VOICE_FAILED = "语音暂时无法生成，请看文字回答。"

# What the location flow asks the core once the region is chosen.
STATION_QUESTION = "附近有哪些养老服务站和助餐点"
