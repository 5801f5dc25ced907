"""Pure decisions about inbound mail: which files are answers, whose answer it is, whether the
sender may submit for that board, whether a read template can be accepted, and whom to reply to."""
