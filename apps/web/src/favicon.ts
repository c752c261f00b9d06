/** The page's icon: a small ladder (two lifelines, two arrows) in the page's accent colour. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#1f5fbf"/>
<path d="M8 5v22M24 5v22" stroke="#fff" stroke-width="2.5" stroke-linecap="round"/>
<path d="M9 11h12M23 21H11" stroke="#ffd166" stroke-width="2.5"/>
<path d="M20 8l4 3-4 3zM12 18l-4 3 4 3z" fill="#ffd166"/>
</svg>
`;
