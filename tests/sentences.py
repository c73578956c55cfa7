"""Test texts: everyday sentences plus numbers, currency, abbreviations, acronyms, punctuation."""

SENTENCES = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Dr. Smith paid $3.50 for two coffees at 9:30 a.m., then left.",
    "In 2025, the company grew revenue by 45% to $1.2M.",
    "The FBI and NASA signed the agreement on March 3rd.",
    "Mr. and Mrs. Jones moved to St. Louis in the 1990s.",
    "We sold 1,250 tickets; the show starts at 7:00 sharp!",
    "Is it really true that e.g. apples, pears, etc. are cheaper now?",
    "She ran 10km in 48 minutes & still felt great.",
    "Our API returns JSON over HTTPS for every request.",
    "The well-known author signed 3 copies of her new book.",
    "Prices fell 2.5% after the CEO's announcement yesterday.",
    "Call me at 5:45, or send an email before noon.",
    "The 21st century began on January 1st, 2001.",
    'He said, "Don\'t forget the milk," and walked out.',
    "About 3.14 million people visited the museum last year.",
    "Prof. Brown teaches physics at the local university.",
    "Our team won the #1 spot for the third time!",
    "The recipe needs 200g of flour and 2 eggs.",
    "Tickets cost €20 each, or £15 with a student card.",
    "Wait... are you sure about that?",
    "The USB cable connects the PC to the TV.",
    "Gardening in the spring is relaxing and rewarding.",
]

PARAGRAPH = (
    "Every morning, the small town woke slowly to the sound of bells from the old church. "
    "Shopkeepers opened their shutters, bakers pulled warm bread from their ovens, and children "
    "hurried along the narrow streets with their school bags bouncing behind them. "
    "By 8:30 a.m., the market square was full of people buying fruit, vegetables, and fresh "
    "flowers. Mrs. Patel sold tomatoes for $2.50 a pound, while her neighbour offered honey from "
    "his own bees. Visitors often said the town felt like a place from another century, quiet "
    "and friendly, with time to talk. In the afternoon, the square emptied as people went home "
    "to rest. Old men played chess in the shade of the trees, and a few tourists took photos of "
    "the fountain, which was built in 1887. When the sun began to set, the lights came on one by "
    "one along the river. Families walked by the water, talking about their day, their plans, "
    "and their hopes for tomorrow. The restaurants filled with the smell of garlic, herbs, and "
    "grilled fish. Musicians played soft songs on the corner, and the last bus left the station "
    "at 10:15 p.m. Then the town grew quiet again, and the stars appeared above the hills, "
    "bright and clear, as they had for hundreds of years. Nobody in the town could remember a "
    "time when things had been very different, and most of them hoped that nothing would ever "
    "change. Some of the young people dreamed of moving to big cities, of working in tall "
    "offices, and of travelling to faraway countries. But many of them came back after a few "
    "years, because they missed the bells, the bread, and the friendly faces in the square. "
    "Dr. Evans, who ran the only clinic, liked to say that the town had 3 secrets: good water, "
    "good neighbours, and good shoes for the steep hills. Each autumn, the school held a fair "
    "where students sold pies, cakes, and paintings to raise money for new books. Last year the "
    "fair raised more than $4,000, which was 20% more than the year before. The mayor gave a "
    "short speech, thanked everyone for their help, and promised that next year would be even "
    "better. As the evening ended, the bells rang once more, and the town settled down for the "
    "night, waiting for another ordinary and wonderful day."
)
