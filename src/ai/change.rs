//! Change sets: the tool calls of one reply, validated as a whole, shown as a diff, applied as
//! one undo step, refused when the project changed since (ai-tools fills this in).
