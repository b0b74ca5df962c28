"""The WeChat 公众号 channel (`elderbot wechat`): a message server on wechatpy in front of the dialogue seam."""
