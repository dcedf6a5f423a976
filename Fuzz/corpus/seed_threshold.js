if (x < 80) return -0.25; else if (x > 120) return 0.15;
return (y - z) * x * 100;