// centrala — resident chat widget (placeholder).
//
// Embedded on the city's pages with
//   <script src="https://HOST/widget.js" async></script>
// The chat, video and sign-language (PJM) buttons arrive with the resident
// chat issue. Until then this file deliberately does nothing; it stays valid
// both as a classic script and as an ES module.
