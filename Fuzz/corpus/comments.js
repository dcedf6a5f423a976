// leading comment
/* block
 comment */ return /* inline */ x; // trailing