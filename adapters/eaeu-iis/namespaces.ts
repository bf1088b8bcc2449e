// The namespaces of the EAEU integrated system's envelope; document namespaces come from the process files' version matrix.

/** WS-Addressing 1.0 (Decision 5 §28: the header block follows WS-Addressing 1.0 – Core). */
export const WSA_NS = 'http://www.w3.org/2005/08/addressing';
/** The integrated system's own headers (`int:ProcedureID`, `int:ConversationID`) and fault subcodes (Decision 5, Table 1). */
export const INT_NS = 'urn:EEC:Interaction:v1.0';
/** Signals «Получено», «Принято в обработку» and «Ошибка» (Decision 5, Appendix 5). */
export const SIGNAL_NS = 'urn:EEC:signal:v1.0';
/** The EEC general data model's complex and simple data objects, where every document's EDocHeader lives. */
export const CCDO_NS = 'urn:EEC:M:ComplexDataObjects:v0.4.14';
export const CSDO_NS = 'urn:EEC:M:SimpleDataObjects:v0.4.14';
