const gap = Math.max(0, x - y);
const stress = Math.log(1 + Math.abs(z)) * 0.4;
let adj = gap * stress / Math.max(x, 1);
if (adj > 1.5) adj = 1.5;
else if (adj < -1.5) adj = -1.5;
return Math.round(adj * 100) / 100 + Math.sqrt(Math.pow(y, 2) + 1) * 0.01;